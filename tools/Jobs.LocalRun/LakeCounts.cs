using Jobs.Contracts;
using Jobs.Tables;
using Jobs.Lake;

namespace Jobs.LocalRun;

/// <summary>Row counts of every lake table, for the run report and the re-run check.</summary>
public sealed record LakeCounts(long Documents, long Quarantine, long Chunks, long Embeddings)
{
    public static async Task<LakeCounts> ReadAsync(string lake, CancellationToken cancellationToken = default) => new(
        await CountAsync(lake, LakeTables.Documents, cancellationToken),
        await CountAsync(lake, LakeTables.Quarantine, cancellationToken),
        await CountAsync(lake, LakeTables.Chunks, cancellationToken),
        await CountAsync(lake, LakeTables.Embeddings, cancellationToken));

    private static async Task<long> CountAsync<T>(string lake, TableSpec<T> spec, CancellationToken ct) where T : class, new() =>
        await new DeltaTable<T>(lake, spec).ReadAsync(PartitionPredicate.All, ct).CountAsync(ct);
}
