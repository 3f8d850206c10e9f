using Microsoft.Extensions.Logging;

namespace Jobs.Lake;

/// <summary>
/// VACUUM: deletes data files that the current snapshot does not reference (neither live nor a tombstone still
/// within the retention period) and that are older than the retention period. Like Spark, it refuses a retention
/// shorter than the tombstone retention (7 days), which could break readers of recent versions and running writers.
/// Hidden and underscore-prefixed paths (_delta_log, .tmp) are never touched.
/// </summary>
internal static class DeltaVacuum
{
    public static async Task<IReadOnlyList<string>> RunAsync(ILakeStorage storage, string tablePath, DeltaSnapshot snapshot, TimeSpan retention,
        bool dryRun, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (retention < DeltaCommitter.TombstoneRetention)
            throw new ArgumentOutOfRangeException(nameof(retention), retention, $"retention below {DeltaCommitter.TombstoneRetention.TotalDays} days could delete files that readers of recent versions need");
        var cutoff = time.GetUtcNow() - retention;
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in snapshot.Files) keep.Add(PartitionPaths.FromLogPath(f.Path));
        foreach (var r in snapshot.Tombstones.Where(r => DateTimeOffset.FromUnixTimeMilliseconds(r.DeletionTimestamp) > cutoff))
            keep.Add(PartitionPaths.FromLogPath(r.Path));

        var table = storage.Describe(tablePath);
        var skip = tablePath.Trim('/').Length is var n and > 0 ? n + 1 : 0;
        var candidates = new List<string>();
        await foreach (var file in storage.ListAsync(tablePath, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            var relative = file.Path[skip..];
            if (relative.Split('/').Any(part => part.StartsWith('_') && !part.Contains('=') || part.StartsWith('.'))) continue;
            if (keep.Contains(relative) || file.LastModified > cutoff) continue;
            candidates.Add(relative);
        }
        foreach (var relative in candidates)
        {
            if (dryRun) continue;
            await storage.DeleteAsync(LakePaths.Combine(tablePath, relative), cancellationToken).ConfigureAwait(false);
            logger.VacuumDeleted(table, relative);
        }
        logger.VacuumDone(table, candidates.Count, retention, dryRun ? "would be deleted (dry run)" : "deleted");
        return candidates;
    }
}
