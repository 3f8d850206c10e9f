using Jobs.Contracts;
using Jobs.Lake;
using Jobs.Tables;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// Replaces the chunk's days (and the undated partition) of <c>quarantine</c> with the run's rows, carrying over the
/// <c>duplicate_id</c> rows another run left there for a record this run sent to <c>documents</c>: that run may have
/// moved it out of <c>documents</c> already, and without its row the record would be in neither table. A read-then-write,
/// retried when another run changed those days meanwhile.
/// </summary>
public static class OwnQuarantine
{
    public const int MaxAttempts = 20;

    public static async Task WriteAsync(LakeStore lake, DateChunk chunk, QuarantineSpool rows, ChunkIds ids, CancellationToken cancellationToken)
    {
        var table = lake.Table(LakeTables.Quarantine);
        for (var attempt = 1; ; attempt++)
        {
            var version = await table.ExistsAsync(cancellationToken).ConfigureAwait(false)
                ? (await table.SnapshotAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Version : -1;
            var carried = new List<QuarantineRow>();
            if (version >= 0)
                await foreach (var q in table.ReadAsync(DayPartition.Within(chunk), version, cancellationToken).ConfigureAwait(false))
                    if (q.Reason == QuarantineReasons.DuplicateId && q.RecordId is { } id && ids.TookFirst(id, q.Source, q.RecordRef)) carried.Add(q);
            try
            {
                await table.OverwriteIfUnchangedAsync(rows.ReadAllAsync(cancellationToken).Concat(carried.ToAsyncEnumerable()), DayPartition.WithinOrUndated(chunk), version,
                    DayPartition.Within(chunk), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DeltaConflictException) when (attempt < MaxAttempts)
            {
                // another run moved a record of these days meanwhile: read again
            }
        }
    }
}
