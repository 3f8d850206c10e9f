namespace Jobs.Lake;

/// <summary>
/// The reconciled state of a table at one version. Loading starts from the newest complete classic or multi-part
/// checkpoint at or below that version (found by listing the log: _last_checkpoint is only a hint) and replays the
/// JSON commits after it. Every load passes through <see cref="TableFeatures.EnsureReadable"/>, so no path reads a
/// table whose protocol this library does not implement.
/// </summary>
public sealed class DeltaSnapshot
{
    private DeltaSnapshot(long version, TableState state, long? checkpointVersion)
    {
        Version = version;
        Protocol = state.Protocol!;
        Metadata = state.Metadata!;
        Files = state.Files.Values.ToList();
        Tombstones = state.Tombstones.Values.ToList();
        Txns = new Dictionary<string, TxnAction>(state.Txns, StringComparer.Ordinal);
        CheckpointVersion = checkpointVersion;
        Schema = DeltaTableSchema.Parse(Metadata.SchemaString);
    }

    public long Version { get; }
    public ProtocolAction Protocol { get; }
    public MetadataAction Metadata { get; }
    public IReadOnlyList<AddFile> Files { get; }
    public IReadOnlyList<RemoveFile> Tombstones { get; }
    public IReadOnlyDictionary<string, TxnAction> Txns { get; }
    /// <summary>The checkpoint replay started from, if any.</summary>
    public long? CheckpointVersion { get; }
    public DeltaTableSchema Schema { get; }

    internal static async Task<DeltaSnapshot> LoadAsync(DeltaLogStore log, long? atVersion, CancellationToken cancellationToken)
    {
        var listing = await log.ListingAsync(cancellationToken).ConfigureAwait(false);
        if (listing.LatestVersion is not { } latest) throw new DeltaProtocolException($"{log.Location}: no commits: not a Delta table");
        var target = atVersion ?? latest;
        if (target < 0 || target > latest) throw new DeltaProtocolException($"{log.Location}: version {target} does not exist (latest is {latest})");

        var checkpoint = listing.Checkpoints.Where(c => c.Version <= target && c.Kind != CheckpointKind.V2).MaxBy(c => c.Version);
        var state = new TableState();
        var from = 0L;
        if (checkpoint is not null)
        {
            state.Apply(await CheckpointFile.ReadAsync(log.Storage, checkpoint.Files.Select(log.PathOf), cancellationToken).ConfigureAwait(false));
            from = checkpoint.Version + 1;
        }
        else if (!listing.Commits.Contains(0))
        {
            var v2 = listing.Checkpoints.Any(c => c.Kind == CheckpointKind.V2);
            throw new DeltaUnsupportedException(v2
                ? $"{log.Location}: version {target} can only be read from a V2 checkpoint, which this reader does not implement"
                : $"{log.Location}: version {target} cannot be reconstructed: commit 0 is gone and no checkpoint at or below it exists");
        }
        for (var v = from; v <= target; v++)
        {
            if (!listing.Commits.Contains(v)) throw new DeltaProtocolException($"{log.Location}: commit {v} is missing (the log has a gap)");
            state.Apply(DeltaLogJson.Parse(await log.ReadCommitAsync(v, cancellationToken).ConfigureAwait(false), DeltaLogStore.CommitFileName(v)));
        }
        if (state.Protocol is null) throw new DeltaProtocolException($"{log.Location}: no protocol action up to version {target}");
        if (state.Metadata is null) throw new DeltaProtocolException($"{log.Location}: no metaData action up to version {target}");
        TableFeatures.EnsureReadable(log.Location, state.Protocol, state.Metadata);
        return new DeltaSnapshot(target, state, checkpoint?.Version);
    }

    internal void EnsureWritable(string where) => TableFeatures.EnsureWritable(where, Protocol, Metadata);
}
