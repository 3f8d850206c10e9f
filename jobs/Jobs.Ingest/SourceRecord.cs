namespace Jobs.Ingest;

/// <summary>
/// One record read from a source file: its fields, or why it could not be read. <see cref="Ref"/> names it for a
/// person (file and line or row), so a quarantine row can be traced back to the input.
/// </summary>
public sealed record SourceRecord(string Source, string Ref, IReadOnlyDictionary<string, string?>? Fields, RecordProblem? Problem, string Raw);

/// <summary>Why a record is refused: a reason from <see cref="Jobs.Tables.QuarantineReasons"/> and the detail for a person.</summary>
public sealed record RecordProblem(string Reason, string Detail);
