namespace Jobs.Ingest;

/// <summary>
/// Which source fields hold the document's id, timestamp, text (one or more fields, joined with a blank line), and
/// optional category, title and extra metadata fields.
/// </summary>
public sealed record ColumnMapping(string Id = "id", string Timestamp = "timestamp", string Text = "text", string? Category = "category", string? Title = "title",
    IReadOnlyList<string>? MoreText = null, IReadOnlyList<string>? Metadata = null)
{
    /// <summary>The text fields in order: <see cref="Text"/>, then <see cref="MoreText"/>.</summary>
    public IReadOnlyList<string> TextFields { get; } = [Text, .. MoreText ?? []];

    public IReadOnlyList<string> MetadataFields { get; } = Metadata ?? [];

    /// <summary>The text fields for a message: <c>field 'text'</c> or <c>fields 'subject', 'body'</c>.</summary>
    public string DescribeText() => TextFields.Count == 1 ? $"field '{Text}'" : "fields " + string.Join(", ", TextFields.Select(f => $"'{f}'"));
}
