using System.Globalization;
using Jobs.LocalRun;

namespace Jobs.Store.Bench;

/// <summary>
/// make bench (STORE_BENCH_ARGS="rows queries rounds"): in one run against a fresh PostgreSQL 17 + pgvector container,
/// rows/s of binary COPY vs batched multi-row INSERT vs psql's \copy of the same rows (interleaved rounds, medians), then
/// the HNSW build time on those rows and recall@10 with p50/p99 latency at ef_search 40, 100 and 200, without and with
/// a 1% date filter.
/// </summary>
public static class StoreBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var queries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var data = new BenchData(rows, queries);
        var csv = WritePaths.WriteCsv(data);
        await using var container = LocalPostgres.Create();
        await container.StartAsync();
        var connection = container.GetConnectionString();
        await using var db = PgDataSource.Create(connection);
        Console.WriteLine($"store bench: {rows:N0} rows of 384-d vectors, {queries} queries, {rounds} interleaved rounds, PostgreSQL 17 + pgvector in a container");
        try
        {
            var copy = new List<double>();
            var insert = new List<double>();
            var psql = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                await WritePaths.ResetAsync(db);
                copy.Add((await WritePaths.BinaryCopyAsync(db, data)).TotalSeconds);
                await WritePaths.ResetAsync(db);
                insert.Add((await WritePaths.MultiRowInsertAsync(db, data)).TotalSeconds);
                await WritePaths.ResetAsync(db);
                psql.Add(WritePaths.PsqlCopy(connection, csv).TotalSeconds);
            }
            double Rate(List<double> seconds) => rows / Median(seconds);
            Console.WriteLine($"write  binary COPY (Npgsql + Pgvector): {Rate(copy),10:N0} rows/s");
            Console.WriteLine($"write  multi-row INSERT (500 rows/stmt): {Rate(insert),10:N0} rows/s   COPY / INSERT = {Rate(copy) / Rate(insert):F2}x (goal >= 5)");
            Console.WriteLine($"write  psql \\copy (CSV, text vectors):  {Rate(psql),10:N0} rows/s   COPY / psql = {Rate(copy) / Rate(psql):F2} (goal >= 0.8)");

            // The table holds the rows of the last psql round: build the index on them.
            var build = await VectorIndexBench.BuildAsync(db, m: 16, efConstruction: 64);
            Console.WriteLine($"hnsw   build on {rows:N0} rows (m 16, ef_construction 64, maintenance_work_mem 512MB, serial: the container's 64 MB /dev/shm cannot hold a parallel build): {build.TotalSeconds:F1} s");
            foreach (var day in new DateOnly?[] { null, BenchData.FirstDay.AddDays(7) })
            {
                var truth = await VectorIndexBench.ExactAsync(db, data, day);
                foreach (var ef in new[] { 40, 100, 200 })
                {
                    var m = await VectorIndexBench.IndexedAsync(db, data, day, ef, truth);
                    Console.WriteLine($"search {(day is null ? "no filter  " : "1% filter  ")} ef_search {ef,3}: recall@{VectorIndexBench.K} {m.Recall:F3}, " +
                        $"p50 {m.P50Ms:F2} ms, p99 {m.P99Ms:F2} ms, rows returned {m.MeanReturned:F1}");
                }
            }
            return 0;
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
