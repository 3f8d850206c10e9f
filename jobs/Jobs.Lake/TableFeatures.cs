namespace Jobs.Lake;

/// <summary>
/// The one gate for protocol versions and table features (PROTOCOL.md "Protocol Evolution", "Table Features"):
/// a table is read only if every reader requirement is implemented here, written only if it is a (1,2) table
/// without the writer-2 features this library does not enforce.
/// </summary>
public static class TableFeatures
{
    public const int MaxReaderVersion = 1;
    public const int MaxWriterVersion = 2;

    // Reader features that change nothing for a reader of plain Parquet data files.
    private static readonly HashSet<string> HarmlessReaderFeatures = ["timestampNtz", "vacuumProtocolCheck"];

    public static void EnsureReadable(string where, ProtocolAction protocol, MetadataAction metadata)
    {
        // Column mapping first: it is the most common reason for a newer reader version, and the clearest to report.
        if (metadata.Configuration.TryGetValue("delta.columnMapping.mode", out var mode) && mode is not null and not "none")
            throw new DeltaUnsupportedException($"{where}: column mapping mode '{mode}' is not supported");
        switch (protocol.MinReaderVersion)
        {
            case <= MaxReaderVersion:
                return;
            case 2: // reader 2 means column mapping, which is off (checked above)
                return;
            case 3:
                var unsupported = (protocol.ReaderFeatures ?? []).Where(f => !HarmlessReaderFeatures.Contains(f) && f != "columnMapping").ToList();
                if (unsupported.Count == 0) return;
                throw new DeltaUnsupportedException($"{where}: table requires reader features [{string.Join(", ", unsupported)}], which this reader does not implement");
            default:
                throw new DeltaUnsupportedException($"{where}: table requires reader version {protocol.MinReaderVersion}; this reader implements up to 3 with no unsupported features");
        }
    }

    public static void EnsureWritable(string where, ProtocolAction protocol, MetadataAction metadata)
    {
        if (protocol.MinWriterVersion > MaxWriterVersion)
            throw new DeltaUnsupportedException($"{where}: table requires writer version {protocol.MinWriterVersion}; this writer implements {MaxWriterVersion}");
        if (metadata.Configuration.TryGetValue("delta.appendOnly", out var appendOnly) && appendOnly == "true")
            throw new DeltaUnsupportedException($"{where}: table is append-only (delta.appendOnly); overwrites are not allowed");
        if (metadata.SchemaString.Contains("delta.invariants", StringComparison.Ordinal))
            throw new DeltaUnsupportedException($"{where}: table has column invariants, which this writer does not enforce");
    }
}
