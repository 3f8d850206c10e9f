namespace Jobs.Ingest;

/// <summary>
/// A source with its mapping resolved: the <c>--source</c> flags share the flags' mapping, and each
/// <c>Ingest:Sources</c> entry has its own, its unset settings taken from the flags.
/// </summary>
public sealed record IngestSource(string Name, IReadOnlyList<string> Locations, SourceFormat Format, char Separator, RecordMapper Mapper, string TimeField)
{
    /// <summary>The sources of a run: the flags' first (when any <c>--source</c> is given), then the configured ones in order.</summary>
    public static IReadOnlyList<IngestSource> All(IngestOptions options)
    {
        var located = Locate(options);
        var sources = new List<IngestSource>(located.Count);
        var flags = options.Source.Length > 0 ? 1 : 0;
        if (flags == 1)
            sources.Add(new(located[0].Name, located[0].Locations, located[0].Format, options.CsvSeparator[0], new RecordMapper(
                new ColumnMapping(options.IdField, options.TimeField, options.TextField, options.CategoryField, options.TitleField, Metadata: options.MetadataField),
                new TimestampParser(options.TimeFormat, options.TimeZone), options.MaxTextBytes, options.Html, options.StripEmailQuotes), options.TimeField));
        for (var i = 0; i < options.Sources.Length; i++)
        {
            var s = options.Sources[i];
            var texts = s.TextFields.Length > 0 ? s.TextFields : [options.TextField];
            var mapping = new ColumnMapping(s.IdField ?? options.IdField, s.TimeField ?? options.TimeField, texts[0],
                OrNone(s.CategoryField ?? options.CategoryField), OrNone(s.TitleField ?? options.TitleField), texts[1..], s.MetadataFields);
            var timestamps = new TimestampParser(s.TimeFormat.Length > 0 ? s.TimeFormat : options.TimeFormat, s.TimeZone ?? options.TimeZone);
            var (name, locations, format) = located[flags + i];
            sources.Add(new(name, locations, format, (s.CsvSeparator ?? options.CsvSeparator)[0],
                new RecordMapper(mapping, timestamps, options.MaxTextBytes, options.Html, options.StripEmailQuotes), mapping.Timestamp));
        }
        return sources;
    }

    /// <summary>
    /// Where each source of <see cref="All"/> is and in which format, in the same order, from the settings alone: no
    /// mapping is built, so the checks that run before any work (a query's range and connection, see
    /// <c>SourceOptionsValidator</c>) can read the locations while another source's mapping is still invalid. A
    /// configured source without a location has none (<c>IngestSourcesValidator</c> names it).
    /// </summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<string> Locations, SourceFormat Format)> Locate(IngestOptions options)
    {
        var sources = new List<(string, IReadOnlyList<string>, SourceFormat)>();
        if (options.Source.Length > 0) sources.Add(("--source", options.Source, options.Format));
        for (var i = 0; i < options.Sources.Length; i++)
        {
            var s = options.Sources[i];
            sources.Add((NameOf(i, s), string.IsNullOrEmpty(s.Location) ? [] : [s.Location], s.Format ?? options.Format));
        }
        return sources;
    }

    /// <summary>How messages name a configured source: its key and its location.</summary>
    public static string NameOf(int index, SourceOptions source) => $"{IngestOptions.Section}:Sources:{index} ({source.Location})";

    private static string? OrNone(string? field) => string.IsNullOrEmpty(field) ? null : field;
}
