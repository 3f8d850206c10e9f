namespace Jobs.Lake;

/// <summary>The reconciled state of a table at one version: protocol, metadata and live files.</summary>
public sealed class DeltaSnapshot
{
    // Reader version 1 and writer version 2 are what this library implements; anything newer is refused.
    public const int SupportedReaderVersion = 1;
    public const int SupportedWriterVersion = 2;

    public long Version { get; }
    public ProtocolAction Protocol { get; }
    public MetadataAction Metadata { get; }
    public IReadOnlyList<AddFile> Files { get; }

    private DeltaSnapshot(long version, ProtocolAction protocol, MetadataAction metadata, IReadOnlyList<AddFile> files)
    {
        Version = version;
        Protocol = protocol;
        Metadata = metadata;
        Files = files;
    }

    internal static DeltaSnapshot Load(DeltaLogStore log, long? atVersion = null)
    {
        var versions = log.ListCommitVersions();
        if (versions.Count == 0) throw new DeltaProtocolException($"{log.LogDir}: no commits: not a Delta table");
        var target = atVersion ?? versions[^1];
        if (versions[0] != 0) throw new DeltaUnsupportedException($"{log.LogDir}: log starts at version {versions[0]} (needs a checkpoint reader)");
        if (target > versions[^1]) throw new DeltaProtocolException($"{log.LogDir}: version {target} does not exist (latest is {versions[^1]})");

        ProtocolAction? protocol = null;
        MetadataAction? metadata = null;
        // Reconcile by path: the latest action for a path wins; a remove drops the file.
        var live = new Dictionary<string, AddFile>(StringComparer.Ordinal);
        for (long v = 0; v <= target; v++)
        {
            if (v >= versions.Count || versions[(int)v] != v)
                throw new DeltaProtocolException($"{log.LogDir}: commit {v} is missing (log has a gap)");
            var actions = DeltaLogJson.Parse(log.ReadCommit(v), DeltaLogStore.CommitFileName(v));
            protocol = actions.Protocol ?? protocol;
            metadata = actions.Metadata ?? metadata;
            foreach (var r in actions.Removes) live.Remove(r.Path);
            foreach (var a in actions.Adds) live[a.Path] = a;
        }
        if (protocol is null) throw new DeltaProtocolException($"{log.LogDir}: no protocol action up to version {target}");
        if (metadata is null) throw new DeltaProtocolException($"{log.LogDir}: no metaData action up to version {target}");
        EnsureReadable(log.LogDir, protocol, metadata);
        return new DeltaSnapshot(target, protocol, metadata, live.Values.ToList());
    }

    private static void EnsureReadable(string where, ProtocolAction protocol, MetadataAction metadata)
    {
        // Column mapping first: it is the most common reason for a newer reader version, and the clearest to report.
        if (metadata.Configuration.TryGetValue("delta.columnMapping.mode", out var mode) && mode is not null and not "none")
            throw new DeltaUnsupportedException($"{where}: column mapping mode '{mode}' is not supported");
        if (protocol.MinReaderVersion > SupportedReaderVersion)
            throw new DeltaUnsupportedException(
                $"{where}: table requires reader version {protocol.MinReaderVersion}" +
                (protocol.ReaderFeatures is { Count: > 0 } f ? $" with features [{string.Join(", ", f)}]" : "") +
                $"; this reader implements version {SupportedReaderVersion}");
    }

    internal void EnsureWritable(string where)
    {
        if (Protocol.MinWriterVersion > SupportedWriterVersion)
            throw new DeltaUnsupportedException(
                $"{where}: table requires writer version {Protocol.MinWriterVersion}; this writer implements {SupportedWriterVersion}");
    }
}
