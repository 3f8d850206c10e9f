using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jobs.Lake;

/// <summary>Maintenance that needs no row type: VACUUM of any table this library can write.</summary>
public static class DeltaMaintenance
{
    /// <summary>VACUUM of the table in the local folder <paramref name="tableRoot"/>.</summary>
    public static Task<IReadOnlyList<string>> VacuumAsync(string tableRoot, TimeSpan retention, bool dryRun,
        CancellationToken cancellationToken = default, TimeProvider? timeProvider = null) =>
        VacuumAsync(new LocalLakeStorage(tableRoot), "", retention, dryRun, cancellationToken, timeProvider);

    /// <summary>VACUUM of the table at <paramref name="tablePath"/> ("" for the storage root) in <paramref name="lake"/>; returns the deleted paths, relative to the table.</summary>
    public static async Task<IReadOnlyList<string>> VacuumAsync(ILakeStorage lake, string tablePath, TimeSpan retention, bool dryRun,
        CancellationToken cancellationToken = default, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(lake);
        var snapshot = await DeltaReader.SnapshotAsync(lake, tablePath, cancellationToken: cancellationToken).ConfigureAwait(false);
        snapshot.EnsureWritable(lake.Describe(tablePath));
        return await DeltaVacuum.RunAsync(lake, tablePath, snapshot, retention, dryRun, timeProvider ?? TimeProvider.System,
            logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);
    }
}
