namespace Jobs.Ingest;

/// <summary>
/// One record read from a source file: its fields, or why it could not be parsed. <see cref="Ref"/> names it for a
/// person (file and line or row), so a quarantine row can be traced back to the input.
/// </summary>
public sealed record SourceRecord(string Source, string Ref, IReadOnlyDictionary<string, string?>? Fields, string? ParseError, string Raw);
