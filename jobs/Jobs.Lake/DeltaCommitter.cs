using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Jobs.Lake;

/// <summary>What a write wants to commit; removes are derived from the snapshot it commits on top of.</summary>
internal sealed record PendingCommit(
    IReadOnlyList<AddFile> Adds,
    PartitionPredicate? Replace,
    TxnAction? Txn,
    string Operation,
    IReadOnlyDictionary<string, string> OperationParameters,
    long? ReadVersion = null,
    PartitionPredicate? ReadScope = null);

/// <summary>
/// Commits with optimistic concurrency (PROTOCOL.md "Creation of New Log Entries"; conflict rules after Spark's
/// ConflictChecker). A lost race re-reads the winners: a protocol or metadata change, or a txn of the same
/// application, aborts (DeltaConflictException); otherwise a blind append is rebased as is, and an overwrite
/// recomputes its removes from the new snapshot, which is safe because its result does not depend on what it
/// replaces. After version v, with v a multiple of delta.checkpointInterval (10), a classic checkpoint is written.
/// </summary>
internal sealed class DeltaCommitter(DeltaLogStore log, string root, string schemaString, IReadOnlyList<string> partitionColumns, TimeProvider time, ILogger logger)
{
    public const int MaxAttempts = 20;
    public static readonly TimeSpan TombstoneRetention = TimeSpan.FromDays(7);

    public async Task<CommitResult> CommitAsync(PendingCommit pending, long rowCount, CancellationToken cancellationToken)
    {
        long? readVersion = pending.ReadVersion; // a read-then-write is checked against every commit since the caller's read
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = await log.ExistsAsync(cancellationToken).ConfigureAwait(false) ? await DeltaSnapshot.LoadAsync(log, null, cancellationToken).ConfigureAwait(false) : null;
            if (snapshot is not null)
            {
                snapshot.EnsureWritable(root);
                if (readVersion is { } rv) await EnsureNoConflictAsync(rv, snapshot.Version, pending, cancellationToken).ConfigureAwait(false);
                // An idempotent batch already committed (by an earlier attempt of this task, say) is not written twice;
                // its data files stay unreferenced until VACUUM.
                if (pending.Txn is { } txn && snapshot.Txns.TryGetValue(txn.AppId, out var done) && done.Version >= txn.Version)
                {
                    logger.AlreadyCommitted(root, txn.AppId, txn.Version, snapshot.Version);
                    return new CommitResult(snapshot.Version, 0, 0, 0, attempt, AlreadyCommitted: true);
                }
            }
            readVersion = snapshot?.Version ?? -1;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var removes = pending.Replace is null
                ? []
                : (snapshot?.Files ?? []).Where(f => pending.Replace.Matches(f.PartitionValues))
                    .Select(f => new RemoveFile(f.Path, now, true, f.PartitionValues, f.Size)).ToList();
            if (snapshot is not null && pending.Adds.Count == 0 && removes.Count == 0 && pending.Txn is null)
                return new CommitResult(snapshot.Version, 0, 0, 0, attempt);

            var info = new CommitInfo(now, pending.Operation, pending.OperationParameters, IsBlindAppend: pending.Replace is null, Guid.NewGuid().ToString());
            var protocol = snapshot is null ? new ProtocolAction(1, 2, null, null) : null;
            var metadata = snapshot is null
                ? new MetadataAction(Guid.NewGuid().ToString(), schemaString, partitionColumns, new Dictionary<string, string?>(), now)
                : !DeltaTableSchema.SameFields(snapshot.Metadata.SchemaString, schemaString)
                    ? snapshot.Metadata with { SchemaString = schemaString } // adds nullable columns (checked by the table)
                    : null;
            var txns = pending.Txn is null ? [] : new[] { pending.Txn with { LastUpdated = now } };
            var version = readVersion.Value + 1;
            if (await log.TryCommitAsync(version, DeltaLogJson.Serialize(info, protocol, metadata, removes, pending.Adds, txns), cancellationToken).ConfigureAwait(false))
            {
                logger.Committed(root, version, pending.Adds.Count, removes.Count, rowCount, attempt);
                await CheckpointIfDueAsync(version, snapshot, cancellationToken).ConfigureAwait(false);
                return new CommitResult(version, pending.Adds.Count, removes.Count, rowCount, attempt);
            }
            logger.CommitLost(root, version, attempt);
            if (attempt >= MaxAttempts)
            {
                logger.CommitGaveUp(root, attempt);
                throw new DeltaConflictException($"{root}: lost the commit race {attempt} times; giving up");
            }
        }
    }

    private async Task EnsureNoConflictAsync(long readVersion, long latest, PendingCommit pending, CancellationToken cancellationToken)
    {
        for (var v = readVersion + 1; v <= latest; v++)
        {
            var winner = DeltaLogJson.Parse(await log.ReadCommitAsync(v, cancellationToken).ConfigureAwait(false), DeltaLogStore.CommitFileName(v));
            // A write computed from what it read (Spark's ConcurrentAppend/ConcurrentDeleteRead): any file added or removed
            // in the partitions it read makes its result stale.
            if (pending.ReadScope is { } scope && (winner.Adds.Any(a => scope.Matches(a.PartitionValues)) || winner.Removes.Any(r => r.PartitionValues is not { } values || scope.Matches(values))))
            {
                logger.CommitConflict(root, v, $"changed partitions this write read ({scope.Description})");
                throw new DeltaConflictException($"{root}: version {v} changed partitions this write read ({scope.Description})");
            }
            // Many pods may create the same table at once: losing that race to an identical table is no conflict.
            if (v == 0 && winner.Metadata is { } created && created.PartitionColumns.SequenceEqual(partitionColumns)
                && DeltaTableSchema.SameFields(created.SchemaString, schemaString))
                continue;
            // Nor is losing it to a writer that widened the schema exactly as this one would, if it changed nothing else.
            if (winner.Protocol is null && winner.Metadata is { } widened && widened.PartitionColumns.SequenceEqual(partitionColumns)
                && DeltaTableSchema.SameFields(widened.SchemaString, schemaString) && (pending.Txn is null || winner.Txns.All(t => t.AppId != pending.Txn.AppId)))
                continue;
            var reason = winner.Protocol is not null ? "changed the protocol concurrently"
                : winner.Metadata is not null ? "changed the metadata concurrently"
                : pending.Txn is { } txn && winner.Txns.Any(t => t.AppId == txn.AppId) ? $"committed a batch of application {txn.AppId} concurrently"
                : null;
            if (reason is null) continue;
            logger.CommitConflict(root, v, reason);
            throw new DeltaConflictException($"{root}: version {v} {reason}");
        }
    }

    private async Task CheckpointIfDueAsync(long version, DeltaSnapshot? previous, CancellationToken cancellationToken)
    {
        var interval = previous?.Metadata.Configuration.GetValueOrDefault("delta.checkpointInterval") is { } s && int.TryParse(s, out var i) && i > 0 ? i : 10;
        if (version == 0 || version % interval != 0) return;
        var snapshot = await DeltaSnapshot.LoadAsync(log, version, cancellationToken).ConfigureAwait(false);
        var cutoff = time.GetUtcNow().Subtract(TombstoneRetention).ToUnixTimeMilliseconds();
        var rows = CheckpointFile.Rows(snapshot, cutoff);
        var bytes = await log.WriteCheckpointAsync(version, rows, cancellationToken).ConfigureAwait(false);
        // Spark's field order: version, size first (LastCheckpointInfo); no checksum, which would have to be exact.
        await log.WriteLastCheckpointAsync(new JsonObject
        {
            ["version"] = version, ["size"] = rows.Count, ["sizeInBytes"] = bytes, ["numOfAddFiles"] = snapshot.Files.Count,
        }.ToJsonString(), cancellationToken).ConfigureAwait(false);
        logger.CheckpointWritten(root, version, rows.Count, bytes);
    }

    public static string PartitionByJson(IEnumerable<string> columns) => JsonSerializer.Serialize(columns);
}
