using System.Diagnostics;
using System.Globalization;
using Jobs.Chunk;
using Jobs.Contracts;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Tables;

namespace Jobs.Theme.Bench;

/// <summary>
/// Peak memory and speed of the theme stage as its window grows. Real vectors and passages (the sample's addresses of
/// 1961–1970, embedded by the real stages) are repeated with Gaussian noise under new ids over the days of a year, for
/// each size (default 100,000 and 1,000,000 chunks); the stage then runs in a child process per size (so the generator's
/// memory is not counted), which reports its own peak RSS (VmHWM). Prints seconds, chunks/s and peak RSS per size and
/// their ratios to the smallest size; the goal is a flat peak within 2 GB at 1M chunks.
/// </summary>
public static class ThemeMemoryBenchmark
{
    private static readonly DateOnly First = new(2024, 1, 1);
    private const double Noise = 0.02;
    private const int PassageChars = 400;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["child", var childLake, .. var rest]) return await ChildAsync(childLake, rest);
        var sizes = args.Length > 0 ? args[0].Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray() : [100_000, 1_000_000];
        var scratch = Path.GetFullPath(Path.Combine(".lake", "bench", "theme"));
        var real = await RealPassagesAsync(Path.Combine(scratch, "real"));
        Console.WriteLine($"theme bench: {real.Count} real passages and vectors, repeated with noise σ={Noise} per dimension-normalised vector");
        var results = new List<(int Size, double Seconds, long PeakBytes)>();
        foreach (var size in sizes)
        {
            var lake = Path.Combine(scratch, $"synthetic-{size}");
            await SynthesiseAsync(lake, real, size);
            var (seconds, peak) = await RunChildAsync(lake);
            results.Add((size, seconds, peak));
            Console.WriteLine($"  {size,9:N0} chunks: theme stage {seconds,6:F1} s, {size / seconds,8:N0} chunks/s, peak RSS {peak / 1048576.0,7:N0} MiB");
        }
        var baseline = results[0];
        Console.WriteLine($"ratios to {baseline.Size:N0} chunks:");
        foreach (var r in results)
            Console.WriteLine($"  {r.Size,9:N0}: size ×{(double)r.Size / baseline.Size:F0}, peak RSS ×{(double)r.PeakBytes / baseline.PeakBytes:F2}, throughput ×{r.Size / r.Seconds / (baseline.Size / baseline.Seconds):F2}");
        var largest = results.MaxBy(r => r.Size);
        Console.WriteLine($"goal: peak RSS at {largest.Size:N0} chunks ≤ 2 GiB: {(largest.PeakBytes <= 2L << 30 ? "met" : "NOT met")} ({largest.PeakBytes / 1048576.0:N0} MiB)");
        return 0;
    }

    private sealed record Passage(string Text, float[] Vector);

    /// <summary>The sample's decade through ingest, chunk and embed (once; kept in the scratch lake).</summary>
    private static async Task<List<Passage>> RealPassagesAsync(string lake)
    {
        var decade = new DateChunk(new DateOnly(1961, 1, 1), new DateOnly(1971, 1, 1));
        var store = LakeServices.Open(lake);
        if (!Directory.Exists(Path.Combine(lake, "embeddings")))
        {
            string[] window = ["--start", "1961-01-01", "--end", "1971-01-01", "--lake", lake];
            var quiet = new JobRunnerSettings { LogOutput = TextWriter.Null, JsonLogs = true };
            foreach (var (stage, stageArgs) in new (Stage, string[])[]
                     {
                         (new IngestStage(), [.. window, "--source", "samples/sotu/sotu.jsonl", "--time-field", "date"]),
                         (new ChunkStage(), window), (new EmbedStage(), window),
                     })
                if (await JobRunner.RunAsync(stage, stageArgs, quiet) is var code && code != 0)
                    throw new InvalidOperationException($"{stage.Name} exited {code}");
        }
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var c in store.ReadAsync(LakeTables.Chunks, decade, CancellationToken.None)) texts[c.ChunkId] = c.Text;
        var passages = new List<Passage>();
        await foreach (var e in store.ReadAsync(LakeTables.Embeddings, decade, CancellationToken.None))
            passages.Add(new Passage(texts[e.ChunkId], e.Embedding));
        return passages;
    }

    /// <summary>Writes <paramref name="size"/> chunks and vectors over the days of 2024, one month per commit (streamed).</summary>
    private static async Task SynthesiseAsync(string lake, List<Passage> real, int size)
    {
        if (Directory.Exists(Path.Combine(lake, "embeddings"))) return; // kept from an earlier run
        var store = LakeServices.Open(lake);
        var model = EmbeddingModels.Default;
        var days = 366;
        for (var month = 0; month < 12; month++)
        {
            var chunk = new DateChunk(First.AddMonths(month), First.AddMonths(month + 1));
            var from = FirstIndexOn(chunk.Start, size, days);
            var to = FirstIndexOn(chunk.End, size, days);
            await store.ReplaceAsync(LakeTables.Chunks, chunk, Rows(from, to, i =>
            {
                var p = real[i % real.Count];
                var text = p.Text.Length <= PassageChars ? p.Text : p.Text[..PassageChars];
                return new ChunkRow
                {
                    ChunkId = Id(i), DocId = $"doc-{i / 4}", Ordinal = i % 4, Text = text, TokenCount = text.Length / 5,
                    CharEnd = text.Length, ContentHash = ContentHash.Of(Id(i)), Timestamp = DayOf(i, size).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                    RunId = "bench", Day = DayOf(i, size),
                };
            }), CancellationToken.None);
            var random = new Random(month);
            await store.ReplaceAsync(LakeTables.Embeddings, chunk, Rows(from, to, i => new EmbeddingRow
            {
                ChunkId = Id(i), DocId = $"doc-{i / 4}", ContentHash = ContentHash.Of(Id(i)), Model = model.Id,
                Embedding = Noisy(real[i % real.Count].Vector, random), RunId = "bench", Day = DayOf(i, size),
            }), CancellationToken.None);
        }
        string Id(int i) => $"bench-{i:D8}";
    }

    private static DateOnly DayOf(int i, int size) => First.AddDays((int)((long)i * 366 / size));

    /// <summary>The first index whose <see cref="DayOf"/> is on or after <paramref name="day"/> (integer ceiling, exact).</summary>
    private static int FirstIndexOn(DateOnly day, int size, int days) => (int)(((long)size * (day.DayNumber - First.DayNumber) + days - 1) / days);

    private static async IAsyncEnumerable<T> Rows<T>(int from, int to, Func<int, T> row)
    {
        for (var i = from; i < to; i++)
        {
            if (i % 50_000 == 0) await Task.Yield();
            yield return row(i);
        }
    }

    private static float[] Noisy(float[] vector, Random random)
    {
        var noisy = new float[vector.Length];
        double norm = 0;
        for (var d = 0; d < vector.Length; d++)
        {
            // Box–Muller: one standard normal per dimension.
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            noisy[d] = (float)(vector[d] + Noise * g);
            norm += (double)noisy[d] * noisy[d];
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var d = 0; d < noisy.Length; d++) noisy[d] *= scale;
        return noisy;
    }

    private static async Task<(double Seconds, long PeakBytes)> RunChildAsync(string lake)
    {
        var info = new ProcessStartInfo("dotnet", [typeof(ThemeMemoryBenchmark).Assembly.Location, "child", lake]) { RedirectStandardOutput = true };
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(info)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0) throw new InvalidOperationException($"theme stage exited {child.ExitCode}: {output}");
        return (clock.Elapsed.TotalSeconds, long.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture));
    }

    /// <summary>In the child: the theme stage over the year, then this process's peak RSS in bytes on the last line.</summary>
    private static async Task<int> ChildAsync(string lake, string[] extra)
    {
        var code = await JobRunner.RunAsync(new ThemeStage(), ["--start", "2024-01-01", "--end", "2025-01-01", "--lake", lake, .. extra],
            new JobRunnerSettings { LogOutput = TextWriter.Null, JsonLogs = true });
        if (code != 0) return code;
        var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        Console.WriteLine(long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
        return 0;
    }
}
