namespace Jobs.Lake;

/// <summary>Maintenance that needs no row type: VACUUM of any table this library can write.</summary>
public static class DeltaMaintenance
{
    public static async Task<IReadOnlyList<string>> VacuumAsync(string tableRoot, TimeSpan retention, bool dryRun,
        CancellationToken cancellationToken = default, TimeProvider? timeProvider = null)
    {
        var snapshot = await DeltaReader.SnapshotAsync(tableRoot, cancellationToken: cancellationToken).ConfigureAwait(false);
        snapshot.EnsureWritable(tableRoot);
        return DeltaVacuum.Run(tableRoot, snapshot, retention, dryRun, timeProvider ?? TimeProvider.System);
    }
}
