namespace Jobs.Ingest;

/// <summary>
/// One source of a config file (<c>Ingest:Sources:N</c>, JSON or YAML): where it is, its format, and how its fields
/// map to documents. A mapping setting left out takes the value of the matching flag (<c>--id-field</c>,
/// <c>--time-zone</c>...), so the flags are the default mapping of every source.
/// </summary>
public sealed class SourceOptions
{
    /// <summary>A file, a folder, or a path with a date template, as for <c>--source</c>.</summary>
    public string Location { get; set; } = "";

    public SourceFormat? Format { get; set; }

    public string? CsvSeparator { get; set; }

    public string? IdField { get; set; }

    public string? TimeField { get; set; }

    /// <summary>Timestamp formats tried in order (rfc3339, rfc2822 or a .NET format).</summary>
    public string[] TimeFormat { get; set; } = [];

    public string? TimeZone { get; set; }

    /// <summary>Fields whose texts are joined, in this order, with a blank line between them.</summary>
    public string[] TextFields { get; set; } = [];

    /// <summary>The title field; an empty string maps none.</summary>
    public string? TitleField { get; set; }

    /// <summary>The category field; an empty string maps none.</summary>
    public string? CategoryField { get; set; }

    /// <summary>Extra fields kept in the documents' JSON column <c>metadata</c>.</summary>
    public string[] MetadataFields { get; set; } = [];
}
