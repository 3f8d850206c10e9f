using System.Globalization;
using Npgsql;

namespace Jobs.Store.Bench;

/// <summary>
/// make bench (STORE_BENCH_ARGS, see <see cref="BenchOptions"/>): in one run against a fresh PostgreSQL 17 + pgvector
/// container, rows/s of binary COPY vs batched multi-row INSERT (SQL text with text vectors, and prepared with binary parameters) vs psql's \copy of the same rows (interleaved rounds,
/// medians) and of the loader's own path; then, on a second set of vectors, the HNSW build time and recall@10 with
/// p50/p99 latency at ef_search 40, 100 and 200, without and with a 1% date filter (iterative scan off, relaxed, strict).
/// </summary>
public static class StoreBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args);
        await using var container = BenchContainer.Create();
        await container.StartAsync();
        var connection = container.GetConnectionString();
        await using var db = PgDataSource.Create(connection);
        await WritePaths.ResetAsync(db);
        Console.WriteLine($"store bench: {await ServerAsync(db)}; client: {Environment.ProcessorCount} cores, load average {Load()} at start");
        if (o.Write && o.Rows > 0) await WriteAsync(db, connection, container.Id, o);
        if (o.IndexRows > 0) await SearchAsync(db, new CpuClock(container.Id), o);
        Console.WriteLine($"store bench: done, load average {Load()}");
        return 0;
    }

    private static async Task WriteAsync(NpgsqlDataSource db, string connection, string container, BenchOptions o)
    {
        var data = new BenchData(o.Rows, queries: 0);
        var cpu = new CpuClock(container);
        await WritePaths.ResetAsync(db);
        await WritePaths.BinaryCopyAsync(db, data); // warm-up, and the rows psql's files are exported from
        var copied = await WritePaths.DigestAsync(db);
        await WritePaths.ResetAsync(db);
        await WritePaths.MultiRowLiteralInsertAsync(db, data, o.InsertBatch);
        if (await WritePaths.DigestAsync(db) != copied) throw new InvalidOperationException("the text INSERT stored other rows than binary COPY");
        await WritePaths.ResetAsync(db);
        await WritePaths.BinaryCopyAsync(db, data);
        WritePaths.ExportFiles(container);
        var wall = new Dictionary<string, List<double>>();
        var work = new Dictionary<string, List<double>>();
        async Task Measure(string path, Func<Task<TimeSpan>> write)
        {
            var before = cpu.Now();
            var elapsed = await write();
            (wall.TryGetValue(path, out var w) ? w : wall[path] = []).Add(elapsed.TotalSeconds);
            (work.TryGetValue(path, out var c) ? c : work[path] = []).Add(cpu.Now() - before);
        }
        for (var round = 0; round < o.Rounds; round++)
        {
            await WritePaths.ResetAsync(db);
            await Measure("copy", () => WritePaths.BinaryCopyAsync(db, data));
            await WritePaths.ResetAsync(db);
            await Measure("insert", () => WritePaths.MultiRowInsertAsync(db, data, o.InsertBatch));
            await WritePaths.ResetAsync(db);
            await Measure("literal", () => WritePaths.MultiRowLiteralInsertAsync(db, data, o.InsertBatch));
            await WritePaths.ResetAsync(db);
            await Measure("psql-csv", () => Task.FromResult(WritePaths.PsqlCopy(container, binary: false)));
            await WritePaths.ResetAsync(db);
            await Measure("psql-binary", () => Task.FromResult(WritePaths.PsqlCopy(container, binary: true)));
            await Measure("psql-start", () => Task.FromResult(WritePaths.PsqlStart(container)));
            await Measure("temp", () => LoaderPath.CopyIntoTempAsync(db, data));
            await Measure("stage", () => LoaderPath.StageAsync(db, data));
        }
        // psql's figures are net of its start (psql -c 'SELECT 1', measured in the same rounds).
        double Net(Dictionary<string, List<double>> t, string path) => Median(t[path]) - (path.StartsWith("psql-", StringComparison.Ordinal) ? Median(t["psql-start"]) : 0);
        double Rate(string path) => data.Count / Net(wall, path);
        double PerCpu(string path) => data.Count / Net(work, path);
        Console.WriteLine($"write  {data.Count:N0} rows (text id primary key, date, vector({BenchData.Dimensions})), {o.Rounds} interleaved rounds, medians; " +
            $"rows/s of wall time, and rows per CPU-second (server container + client{(cpu.Available ? "" : ": no cgroup found, n/a")}), ratios of both");
        void Line(string label, string path, string? against = null, string goal = "")
        {
            var ratio = against is null ? "" : $"   {path} / {against} = {PerCpu(path) / PerCpu(against):F2} by CPU, {Rate(path) / Rate(against):F2} by wall{goal}";
            Console.WriteLine($"write  {label,-52} {Rate(path),9:N0} rows/s  {PerCpu(path),9:N0} rows/CPU-s{ratio}");
        }
        Line("binary COPY (Npgsql + Pgvector) [copy]", "copy");
        Line($"multi-row INSERT, {o.InsertBatch} rows/stmt, prepared [insert]", "insert");
        Console.WriteLine($"write  COPY / prepared binary INSERT = {PerCpu("copy") / PerCpu("insert"):F2}x by CPU, {Rate("copy") / Rate("insert"):F2}x by wall");
        Line($"multi-row INSERT, {o.InsertBatch} rows/stmt, SQL text, vectors as text [literal]", "literal");
        Console.WriteLine($"write  COPY / batched text INSERT = {PerCpu("copy") / PerCpu("literal"):F2}x by CPU, {Rate("copy") / Rate("literal"):F2}x by wall (goal >= 5)");
        Console.WriteLine($"write  psql start (psql -c 'SELECT 1', subtracted below): {Median(wall["psql-start"]) * 1000:F0} ms, {Median(work["psql-start"]) * 1000:F0} CPU-ms");
        Line("psql \\copy in the container, CSV [psql-csv]", "psql-csv");
        Console.WriteLine($"write  COPY / psql CSV = {PerCpu("copy") / PerCpu("psql-csv"):F2} by CPU, {Rate("copy") / Rate("psql-csv"):F2} by wall (goal >= 0.8)");
        Line("psql \\copy in the container, binary [psql-binary]", "psql-binary");
        Console.WriteLine($"write  COPY / psql binary = {PerCpu("copy") / PerCpu("psql-binary"):F2} by CPU, {Rate("copy") / Rate("psql-binary"):F2} by wall");
        Line("binary COPY into a temp table, no index [temp]", "temp", "copy");
        Line("loader staging: 10 columns, temp table, PK [stage]", "stage", "copy");
        // With the HNSW index maintained, every row is an index insertion (a graph search): a smaller load shows the rate.
        foreach (var (withHnsw, rows) in new[] { (false, data), (true, new BenchData(Math.Min(data.Count, 2_000), queries: 0)) })
        {
            var before = cpu.Now();
            var replace = await LoaderPath.ReplaceAsync(connection, rows, withHnsw);
            var spent = cpu.Now() - before;
            Console.WriteLine($"write  loader ReplaceAsync of {rows.Count:N0} rows into an empty migrated store, {(withHnsw ? "HNSW index maintained" : "HNSW index dropped   ")}: " +
                $"{rows.Count / replace.TotalSeconds,7:N0} rows/s  {rows.Count / spent,7:N0} rows/CPU-s ({replace.TotalSeconds:F1} s, once; staging + apply, GIN and b-trees maintained)");
        }
    }

    private static async Task SearchAsync(NpgsqlDataSource db, CpuClock cpu, BenchOptions o)
    {
        var data = new BenchData(o.IndexRows, o.Queries, seed: 7);
        await WritePaths.ResetAsync(db);
        var load = await WritePaths.BinaryCopyAsync(db, data);
        Console.WriteLine($"hnsw   {data.Count:N0} clustered 384-d unit vectors (200 centroids) loaded by binary COPY in {load.TotalSeconds:F1} s");
        var memory = $"{Math.Max(256, (long)data.Count * 4096 >> 20)}MB";
        var before = cpu.Now();
        var build = await VectorIndexBench.BuildAsync(db, m: 16, efConstruction: 64, memory, workers: 2);
        var spent = cpu.Now() - before;
        Console.WriteLine($"hnsw   build on {data.Count:N0} vectors (cosine, m 16, ef_construction 64, maintenance_work_mem {memory}, " +
            $"max_parallel_maintenance_workers 2): {build.TotalSeconds:F1} s wall ({data.Count / build.TotalSeconds:N0} vectors/s), {spent:F1} CPU-s, load average {Load()}");
        var day = BenchData.FirstDay.AddDays(7);
        var plans = new (DateOnly? Day, string Iterative)[] { (null, "off"), (day, "off"), (day, "relaxed_order"), (day, "strict_order") };
        List<HashSet<string>>? all = null, filtered = null;
        foreach (var (d, iterative) in plans)
        {
            var truth = d is null ? all ??= await VectorIndexBench.ExactAsync(db, data, null) : filtered ??= await VectorIndexBench.ExactAsync(db, data, d);
            foreach (var ef in new[] { 40, 100, 200 })
            {
                var m = await VectorIndexBench.IndexedAsync(db, data, d, ef, iterative, truth);
                Console.WriteLine($"search {(d is null ? "no filter" : "1% filter"),-9} iterative {iterative,-13} ef_search {ef,3}: recall@{VectorIndexBench.K} {m.Recall:F3}, " +
                    $"p50 {m.P50Ms,6:F2} ms, p99 {m.P99Ms,6:F2} ms, rows returned mean {m.MeanReturned,4:F1} min {m.MinReturned,2}{(m.UsesIndex ? "" : "  (plan: no HNSW)")}");
            }
        }
        Console.WriteLine($"search {data.Queries.Length} queries per line, k {VectorIndexBench.K}, hnsw.max_scan_tuples 20000 (default); one client, sequential");
    }

    private static async Task<string> ServerAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("""
            SELECT current_setting('server_version'), (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                   current_setting('shared_buffers'), current_setting('fsync'), current_setting('synchronous_commit')
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"PostgreSQL {reader.GetString(0)} + pgvector {reader.GetString(1)} in a container (shared_buffers {reader.GetString(2)}, " +
            $"fsync {reader.GetString(3)}, synchronous_commit {reader.GetString(4)})";
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
