using System.Diagnostics;
using Npgsql;
using Pgvector;

namespace Jobs.Store.Bench;

/// <summary>
/// HNSW on the bench table: build time, then recall@k of the index against exact search (a scan of the same table
/// with index scans off) with p50/p99 latency per ef_search, without a filter and with a one-day filter (1% of the
/// rows), where only pgvector's iterative scan (hnsw.iterative_scan, 0.8+) still returns k rows.
/// </summary>
internal static class VectorIndexBench
{
    public const int K = 10;

    public static async Task<TimeSpan> BuildAsync(NpgsqlDataSource db, int m, int efConstruction, string maintenanceWorkMem, int workers)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using (var settings = new NpgsqlCommand(
            $"SET maintenance_work_mem = '{maintenanceWorkMem}'; SET max_parallel_maintenance_workers = {workers}", connection))
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

    public sealed record Measure(double Recall, double P50Ms, double P99Ms, double MeanReturned, int MinReturned, bool UsesIndex);

    /// <summary>The exact top k of every query (index scans off: a sequential scan computing every distance).</summary>
    public static async Task<List<HashSet<string>>> ExactAsync(NpgsqlDataSource db, BenchData data, DateOnly? day)
    {
        var truth = new List<HashSet<string>>();
        await using var connection = await db.OpenConnectionAsync();
        await using (var off = new NpgsqlCommand("SET enable_indexscan = off", connection))
            await off.ExecuteNonQueryAsync();
        foreach (var q in data.Queries) truth.Add([.. (await TopAsync(connection, q, day)).Ids]);
        return truth;
    }

    /// <param name="iterative">hnsw.iterative_scan: off, relaxed_order or strict_order.</param>
    public static async Task<Measure> IndexedAsync(NpgsqlDataSource db, BenchData data, DateOnly? day, int efSearch, string iterative,
        List<HashSet<string>> truth)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using (var on = new NpgsqlCommand($"SET hnsw.ef_search = {efSearch}; SET hnsw.iterative_scan = {iterative}", connection))
            await on.ExecuteNonQueryAsync();
        var usesIndex = await UsesIndexAsync(connection, data.Queries[0], day);
        await TopAsync(connection, data.Queries[0], day); // warm the plan and the index pages
        var latencies = new List<double>();
        double found = 0, returned = 0;
        var least = int.MaxValue;
        for (var i = 0; i < data.Queries.Length; i++)
        {
            var (ids, ms) = await TopAsync(connection, data.Queries[i], day);
            latencies.Add(ms);
            returned += ids.Count;
            least = Math.Min(least, ids.Count);
            found += ids.Count(truth[i].Contains);
        }
        latencies.Sort();
        return new Measure(found / truth.Sum(t => t.Count), Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            returned / data.Queries.Length, least, usesIndex);
    }

    private static string Sql(DateOnly? day) =>
        $"SELECT chunk_id FROM {WritePaths.Table} {(day is null ? "" : "WHERE day = @day")} ORDER BY embedding <=> @q LIMIT {K}";

    private static async Task<bool> UsesIndexAsync(NpgsqlConnection connection, float[] query, DateOnly? day)
    {
        await using var cmd = new NpgsqlCommand("EXPLAIN " + Sql(day), connection);
        cmd.Parameters.AddWithValue("q", new Vector(query));
        if (day is { } d) cmd.Parameters.AddWithValue("day", d);
        var plan = new System.Text.StringBuilder();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.AppendLine(reader.GetString(0));
        return plan.ToString().Contains("bench_hnsw", StringComparison.Ordinal);
    }

    private static async Task<(List<string> Ids, double Ms)> TopAsync(NpgsqlConnection connection, float[] query, DateOnly? day)
    {
        await using var cmd = new NpgsqlCommand(Sql(day), connection);
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
