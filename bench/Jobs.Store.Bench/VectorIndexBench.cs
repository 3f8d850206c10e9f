using System.Diagnostics;
using Npgsql;
using Pgvector;

namespace Jobs.Store.Bench;

/// <summary>
/// HNSW on the bench table: build time, then recall@k of the index against exact search (a sequential scan of the
/// same table) with p50/p99 latency per ef_search, without a filter and with a one-day filter (1% of the rows), where
/// pgvector's iterative scan must still return k rows.
/// </summary>
internal static class VectorIndexBench
{
    public const int K = 10;

    public static async Task<TimeSpan> BuildAsync(NpgsqlDataSource db, int m, int efConstruction)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using (var settings = new NpgsqlCommand("SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 0", connection))
            await settings.ExecuteNonQueryAsync();
        var clock = Stopwatch.StartNew();
        await using (var build = new NpgsqlCommand(
            $"CREATE INDEX bench_hnsw ON {WritePaths.Table} USING hnsw (embedding vector_cosine_ops) WITH (m = {m}, ef_construction = {efConstruction})", connection))
        {
            build.CommandTimeout = 0;
            await build.ExecuteNonQueryAsync();
        }
        var elapsed = clock.Elapsed;
        await using (var analyze = new NpgsqlCommand($"ANALYZE {WritePaths.Table}", connection)) await analyze.ExecuteNonQueryAsync();
        return elapsed;
    }

    public sealed record Measure(double Recall, double P50Ms, double P99Ms, double MeanReturned);

    /// <summary>The exact top k of every query (sequential scan: index scans off).</summary>
    public static async Task<List<HashSet<string>>> ExactAsync(NpgsqlDataSource db, BenchData data, DateOnly? day)
    {
        var truth = new List<HashSet<string>>();
        await using var connection = await db.OpenConnectionAsync();
        await using (var off = new NpgsqlCommand("SET enable_indexscan = off; SET enable_bitmapscan = off; SET max_parallel_workers_per_gather = 0", connection))
            await off.ExecuteNonQueryAsync();
        foreach (var q in data.Queries) truth.Add([.. (await TopAsync(connection, q, day)).Ids]);
        return truth;
    }

    public static async Task<Measure> IndexedAsync(NpgsqlDataSource db, BenchData data, DateOnly? day, int efSearch, List<HashSet<string>> truth)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using (var on = new NpgsqlCommand($"SET hnsw.ef_search = {efSearch}; SET hnsw.iterative_scan = relaxed_order", connection))
            await on.ExecuteNonQueryAsync();
        await TopAsync(connection, data.Queries[0], day); // warm the plan and the index pages
        var latencies = new List<double>();
        double found = 0, returned = 0;
        for (var i = 0; i < data.Queries.Length; i++)
        {
            var (ids, ms) = await TopAsync(connection, data.Queries[i], day);
            latencies.Add(ms);
            returned += ids.Count;
            found += ids.Count(truth[i].Contains);
        }
        latencies.Sort();
        return new Measure(found / truth.Sum(t => t.Count), Percentile(latencies, 0.50), Percentile(latencies, 0.99), returned / data.Queries.Length);
    }

    private static async Task<(List<string> Ids, double Ms)> TopAsync(NpgsqlConnection connection, float[] query, DateOnly? day)
    {
        var filter = day is null ? "" : "WHERE day = @day";
        await using var cmd = new NpgsqlCommand($"SELECT chunk_id FROM {WritePaths.Table} {filter} ORDER BY embedding <=> @q LIMIT {K}", connection);
        cmd.Parameters.AddWithValue("q", new Vector(query));
        if (day is { } d) cmd.Parameters.AddWithValue("day", d);
        var clock = Stopwatch.StartNew();
        var ids = new List<string>(K);
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return (ids, clock.Elapsed.TotalMilliseconds);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
