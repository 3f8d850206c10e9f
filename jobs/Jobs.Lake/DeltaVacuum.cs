namespace Jobs.Lake;

/// <summary>
/// VACUUM: deletes data files that the current snapshot does not reference (neither live nor a tombstone still
/// within the retention period) and that are older than the retention period. Like Spark, it refuses a retention
/// shorter than the tombstone retention (7 days), which could break readers of recent versions and running writers.
/// Hidden and underscore-prefixed paths (_delta_log, .tmp) are never touched.
/// </summary>
internal static class DeltaVacuum
{
    public static IReadOnlyList<string> Run(string root, DeltaSnapshot snapshot, TimeSpan retention, bool dryRun, TimeProvider time)
    {
        if (retention < DeltaCommitter.TombstoneRetention)
            throw new ArgumentOutOfRangeException(nameof(retention), retention, $"retention below {DeltaCommitter.TombstoneRetention.TotalDays} days could delete files that readers of recent versions need");
        var cutoff = time.GetUtcNow() - retention;
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in snapshot.Files) keep.Add(PartitionPaths.FromLogPath(f.Path));
        foreach (var r in snapshot.Tombstones.Where(r => DateTimeOffset.FromUnixTimeMilliseconds(r.DeletionTimestamp) > cutoff))
            keep.Add(PartitionPaths.FromLogPath(r.Path));

        var deleted = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Split('/').Any(part => part.StartsWith('_') && !part.Contains('=') || part.StartsWith('.'))) continue;
            if (keep.Contains(relative) || File.GetLastWriteTimeUtc(file) > cutoff.UtcDateTime) continue;
            if (!dryRun) File.Delete(file);
            deleted.Add(relative);
        }
        return deleted;
    }
}
