using System.Diagnostics;
using System.Globalization;

namespace Jobs.Ingest.Bench;

/// <summary>
/// make bench (INGEST_BENCH_ARGS="--base 1000 --sizes 1,10,100 --corpus FILE"): for each size, writes the corpus,
/// runs ingest and then chunk on it, each as a child process, and prints records/s and peak RSS per stage as ratios
/// to the first size (goals: RSS at the largest size within 1.5x of the smallest; throughput flat), and ingest's
/// throughput against reading and parsing the same file with System.Text.Json in this process. Peak RSS and the cold
/// rate come from a fresh process, as a pod starts; the warm rate from a second pair of processes that first ran both
/// stages on the 1x corpus (start-up and JIT compilation otherwise dominate a 1,000-record run).
/// </summary>
public static partial class IngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var baseRecords = int.Parse(Arg(args, "--base") ?? "1000", CultureInfo.InvariantCulture);
        var sizes = (Arg(args, "--sizes") ?? "1,10,100").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var corpus = Arg(args, "--corpus") ?? FindSciFact();
        var work = Directory.CreateTempSubdirectory("jobs-ingest-bench-");
        Console.WriteLine($"ingest/chunk bench: SciFact abstracts repeated with new ids, {baseRecords:N0} records at 1x, sizes {string.Join(", ", sizes.Select(s => $"{s}x"))}; " +
            $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");
        try
        {
            var source = BenchCorpus.LoadSciFact(corpus);
            var warmUp = Path.Combine(work.FullName, "warm-up.jsonl");
            BenchCorpus.Write(warmUp, source, baseRecords);
            var results = new List<SizeResult>();
            foreach (var size in sizes)
            {
                var records = baseRecords * size;
                var dir = Directory.CreateDirectory(Path.Combine(work.FullName, $"x{size}")).FullName;
                var file = Path.Combine(dir, "corpus.jsonl");
                var bytes = BenchCorpus.Write(file, source, records);
                var clock = Stopwatch.StartNew();
                BenchCorpus.ParseOnly(file);
                var parseSeconds = clock.Elapsed.TotalSeconds;
                var lake = Path.Combine(dir, "lake");
                var chunk = BenchCorpus.ChunkArgs(lake);
                var ingest = await RunChildAsync(["ingest", .. chunk, "--source", file]);
                var chunked = await RunChildAsync(["chunk", .. chunk]);
                var warmIngest = await RunChildAsync(["--warm-up", warmUp, "ingest", .. chunk, "--source", file]);
                var warmChunk = await RunChildAsync(["--warm-up", warmUp, "chunk", .. chunk]);
                var result = new SizeResult(size, records, bytes, parseSeconds, ingest, chunked, warmIngest.Seconds, warmChunk.Seconds);
                results.Add(result);
                Console.WriteLine(result.Line(results[0]));
                Console.WriteLine(result.MemoryLine());
                Directory.Delete(dir, recursive: true);
            }
            var first = results[0];
            var last = results[^1];
            Console.WriteLine($"ingest peak RSS {last.Size}x / {first.Size}x = {last.Ingest.PeakMiB / first.Ingest.PeakMiB:F2} (goal <= 1.5); " +
                $"chunk {last.Chunk.PeakMiB / first.Chunk.PeakMiB:F2} (goal <= 1.5)");
            Console.WriteLine($"throughput {last.Size}x / {first.Size}x, warm: ingest {last.WarmIngestRate / first.WarmIngestRate:F2}, chunk {last.WarmChunkRate / first.WarmChunkRate:F2} (goal ~1); " +
                $"cold: ingest {last.IngestRate / first.IngestRate:F2}, chunk {last.ChunkRate / first.ChunkRate:F2}; ingest (warm) / bare JSON parse at {last.Size}x = {last.WarmIngestRate / last.ParseRate:F2}");
            return results.All(r => r.Ingest.ExitCode == 0 && r.Chunk.ExitCode == 0) ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<ChildRun> RunChildAsync(string[] args)
    {
        var self = typeof(IngestBench).Assembly.Location;
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("jobs-ingest-bench", StringComparison.Ordinal)) info.ArgumentList.Add(self);
        info.ArgumentList.Add("child");
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "0";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await stdout;
        await process.WaitForExitAsync();
        var marker = stderr.Split('\n').LastOrDefault(l => l.StartsWith(StageChild.Marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{args[0]} child gave no result (exit {process.ExitCode}): {stderr}{await stdout}");
        var values = marker[StageChild.Marker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        // The stage's own time ("Finished … in {ElapsedMs} ms", without the runtime's start and the host's setup), else the child's.
        // (Serilog writes to stderr; the last "Finished" line is the measured run's, after any warm-up's.)
        var elapsed = ElapsedMs().Matches(stderr) is { Count: > 0 } m
            ? double.Parse(m[^1].Groups[1].Value, CultureInfo.InvariantCulture) / 1000
            : double.Parse(values["seconds"], CultureInfo.InvariantCulture);
        var run = new ChildRun(int.Parse(values["exit"], CultureInfo.InvariantCulture), elapsed, long.Parse(values["peak_kib"], CultureInfo.InvariantCulture) / 1024.0,
            MiB(values, "gc_committed_kib"), MiB(values, "gc_live_kib"), MiB(values, "other_kib"));
        if (run.ExitCode != 0) Console.WriteLine($"{args[0]} exited {run.ExitCode}: {(await stdout)[^Math.Min(2000, (await stdout).Length)..]}");
        return run;
    }

    [System.Text.RegularExpressions.GeneratedRegex("\"ElapsedMs\":\\s*(\\d+)")]
    private static partial System.Text.RegularExpressions.Regex ElapsedMs();

    private static double MiB(Dictionary<string, string> values, string key) => long.Parse(values[key], CultureInfo.InvariantCulture) / 1024.0;

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static string FindSciFact()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "testdata", "scifact", "corpus.jsonl"), Path.Combine(dir.FullName, "..", "shared", "testdata", "scifact", "corpus.jsonl") })
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        throw new FileNotFoundException("SciFact corpus.jsonl not found (shared/testdata/scifact); pass --corpus FILE");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}

/// <param name="GcCommittedMiB">At the highest RSS sampled: memory the GC heap had committed (objects, garbage not yet collected, slack).</param>
/// <param name="GcLiveMiB">Largest heap a collection left (reachable objects, and garbage of generations it did not collect).</param>
/// <param name="OtherMiB">At the highest RSS sampled: resident memory outside the GC heap (runtime, JIT code, mapped assemblies, native buffers).</param>
public sealed record ChildRun(int ExitCode, double Seconds, double PeakMiB, double GcCommittedMiB, double GcLiveMiB, double OtherMiB)
{
    public string Memory => string.Create(CultureInfo.InvariantCulture, $"at peak GC heap {GcCommittedMiB:F0} + outside it {OtherMiB:F0} MiB; largest heap after a GC {GcLiveMiB:F0} MiB");
}

/// <param name="Ingest">The cold ingest process (peak RSS, cold rate).</param>
/// <param name="Chunk">The cold chunk process.</param>
/// <param name="WarmIngestSeconds">Ingest's own time in a process that ran both stages on the 1x corpus first.</param>
/// <param name="WarmChunkSeconds">Chunk's, likewise.</param>
public sealed record SizeResult(int Size, int Records, long Bytes, double ParseSeconds, ChildRun Ingest, ChildRun Chunk, double WarmIngestSeconds, double WarmChunkSeconds)
{
    public double ParseRate => Records / ParseSeconds;
    public double IngestRate => Records / Ingest.Seconds;
    public double ChunkRate => Records / Chunk.Seconds;
    public double WarmIngestRate => Records / WarmIngestSeconds;
    public double WarmChunkRate => Records / WarmChunkSeconds;

    public string Line(SizeResult baseline) => string.Create(CultureInfo.InvariantCulture,
        $"{Size,4}x {Records,9:N0} records {Bytes / 1048576.0,7:F1} MiB | parse {ParseRate,9:N0} rec/s | " +
        $"ingest {WarmIngestRate,8:N0} rec/s warm ({WarmIngestRate / baseline.WarmIngestRate:F2}x), {IngestRate,8:N0} cold; peak {Ingest.PeakMiB,6:F0} MiB ({Ingest.PeakMiB / baseline.Ingest.PeakMiB:F2}x) | " +
        $"chunk {WarmChunkRate,8:N0} docs/s warm ({WarmChunkRate / baseline.WarmChunkRate:F2}x), {ChunkRate,8:N0} cold; peak {Chunk.PeakMiB,6:F0} MiB ({Chunk.PeakMiB / baseline.Chunk.PeakMiB:F2}x)");

    /// <summary>What the peaks are made of (each figure is its own maximum over the run).</summary>
    public string MemoryLine() => $"      ingest: {Ingest.Memory} | chunk: {Chunk.Memory}";
}
