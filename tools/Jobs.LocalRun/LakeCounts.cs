using Jobs.Tables;

namespace Jobs.LocalRun;

/// <summary>Row counts of every lake table, for the run report and the re-run check.</summary>
public sealed record LakeCounts(long Documents, long Quarantine, long Chunks, long Embeddings)
{
    /// <param name="lake">A folder or az://container/prefix (with AZURE_STORAGE_CONNECTION_STRING).</param>
    public static Task<LakeCounts> ReadAsync(string lake, CancellationToken cancellationToken = default) =>
        ReadAsync(LakeServices.Open(lake), cancellationToken);

    public static Task<LakeCounts> ReadAsync(Jobs.Lake.ILakeStorage lake, CancellationToken cancellationToken = default) =>
        ReadAsync(new LakeStore(lake, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance), cancellationToken);

    private static async Task<LakeCounts> ReadAsync(LakeStore store, CancellationToken cancellationToken)
    {
        return new(
            await store.CountAsync(LakeTables.Documents, cancellationToken),
            await store.CountAsync(LakeTables.Quarantine, cancellationToken),
            await store.CountAsync(LakeTables.Chunks, cancellationToken),
            await store.CountAsync(LakeTables.Embeddings, cancellationToken));
    }
}
