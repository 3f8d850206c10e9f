using Jobs.Lake;

namespace Jobs.Lake.Bench;

/// <summary>
/// `make bench BENCH_ARGS="rows commits rounds"`: (1) writing N rows (default 1M: id, day, text, 384 floats) as a Delta table vs the same Parquet
/// files alone, interleaved and repeated, printed as a ratio; (2) loading the snapshot of a 1,000-commit table with
/// and without checkpoints. Everything is measured in the same run on the same machine; nothing here is asserted.
/// </summary>
public static partial class LakeBenchmarks
{
    private const int RowsPerFile = 50_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var commits = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000;
        var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var work = Path.Combine(Path.GetTempPath(), $"jobs-lake-bench-{Guid.NewGuid():N}");
        Console.WriteLine($"Jobs.Lake benchmark: {rows:N0} rows × 384 floats, {commits:N0}-commit log; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        try
        {
            await WriteBenchmarkAsync(work, rows, rounds);
            await ReadBenchmarkAsync(work, commits);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    private static async Task WriteBenchmarkAsync(string work, int rows, int rounds)
    {
        var parquet = new List<Measurement>();
        var delta = new List<Measurement>();
        // Interleaved rounds, compared by median: disk flushes make single runs vary by tens of percent here.
        // Each measurement starts after sync(2) so that one writer's dirty pages are not flushed on the next one's
        // time, and the order alternates between rounds.
        for (var round = 0; round < rounds; round++)
        {
            var parquetDir = Path.Combine(work, $"parquet-{round}");
            var deltaDir = Path.Combine(work, $"delta-{round}");
            async Task Parquet()
            {
                Sync();
                parquet.Add(await Measurement.RunAsync($"Parquet files only (round {round + 1})", () => ParquetOnlyAsync(parquetDir, rows)));
                Directory.Delete(parquetDir, true);
            }
            async Task Delta()
            {
                Sync();
                delta.Add(await Measurement.RunAsync($"Delta table: files + stats + commit (round {round + 1})", () =>
                    new DeltaTable<BenchRow>(deltaDir, BenchRow.Spec) { MaxRowsPerFile = RowsPerFile }.AppendAsync(BenchRow.Generate(rows).ToAsyncEnumerable())));
                Directory.Delete(deltaDir, true);
            }
            if (round % 2 == 0) { await Parquet(); await Delta(); }
            else { await Delta(); await Parquet(); }
        }
        foreach (var m in parquet.Concat(delta)) Console.WriteLine(m);
        static double Median(List<Measurement> runs) => runs.Select(m => m.Elapsed.TotalSeconds).Order().ElementAt(runs.Count / 2);
        Console.WriteLine($"Delta write / Parquet write (median of {parquet.Count} each): {Median(delta) / Median(parquet):F3}  (goal: < 1.10); " +
            $"best of each: {delta.Min(m => m.Elapsed.TotalSeconds) / parquet.Min(m => m.Elapsed.TotalSeconds):F3}");
    }

    // The same files the Delta writer produces (rows arrive in day order; a file per day per 50,000 rows), streamed
    // the same way, with no stats and no log.
    private static async Task ParquetOnlyAsync(string dir, int rows)
    {
        var storage = new LocalLakeStorage(dir);
        var buffer = new List<BenchRow>(RowsPerFile);
        foreach (var row in BenchRow.Generate(rows))
        {
            if (buffer.Count > 0 && (buffer[0].Day != row.Day || buffer.Count == RowsPerFile)) await FlushAsync();
            buffer.Add(row);
        }
        await FlushAsync();

        async Task FlushAsync()
        {
            await ParquetFiles.WriteAsync(storage, $"day={buffer[0].Day}/part-{Guid.NewGuid():N}.snappy.parquet", buffer, CancellationToken.None);
            buffer.Clear();
        }
    }

    private static async Task ReadBenchmarkAsync(string work, int commits)
    {
        var root = Path.Combine(work, "log");
        var table = new DeltaTable<BenchRow>(root, BenchRow.Spec);
        var build = await Measurement.RunAsync($"Build: {commits:N0} one-row commits (checkpoint every 10)", async () =>
        {
            for (var i = 0; i < commits; i++) await table.AppendAsync(BenchRow.Generate(1).Select(r => { r.Id = i; return r; }).ToAsyncEnumerable());
        });
        Console.WriteLine(build);

        var plain = Path.Combine(work, "log-without-checkpoints", "bench");
        CopyTable(table.Root, plain, includeCheckpoints: false);
        var withCp = await Median(() => DeltaReader.SnapshotAsync(table.Root));
        var without = await Median(() => DeltaReader.SnapshotAsync(plain));
        Console.WriteLine(withCp with { Name = "Snapshot load with checkpoints (median of 5)" });
        Console.WriteLine(without with { Name = "Snapshot load, JSON replay only (median of 5)" });
        Console.WriteLine($"Replay without / with checkpoints: {without.Elapsed.TotalSeconds / withCp.Elapsed.TotalSeconds:F1}x");
    }

    private static async Task<Measurement> Median(Func<Task<DeltaSnapshot>> load)
    {
        var runs = new List<Measurement>();
        for (var i = 0; i < 5; i++) runs.Add(await Measurement.RunAsync("snapshot", load));
        return runs.OrderBy(r => r.Elapsed).ElementAt(2);
    }

    private static void CopyTable(string from, string to, bool includeCheckpoints)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (!includeCheckpoints && (name.Contains(".checkpoint.", StringComparison.Ordinal) || name == "_last_checkpoint")) continue;
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sync")]
    private static partial void Sync();
}
