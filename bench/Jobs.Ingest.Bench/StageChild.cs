using System.Diagnostics;
using System.Globalization;
using Jobs.Chunk;
using Jobs.Hosting;
using Jobs.Ingest;

namespace Jobs.Ingest.Bench;

/// <summary>
/// One stage run in its own process, as a pod runs it: the stage's own runner, then its wall time and the process's
/// peak resident set (VmHWM) on the last line of stderr, for the parent to read. With <c>--warm-up CORPUS</c> first (a
/// throughput run), the process first runs ingest (and chunk, for chunk) on CORPUS into a scratch lake, so that the
/// measured run's rate is not the runtime's start-up and JIT compilation; its peak RSS then is not a pod's.
/// </summary>
public static class StageChild
{
    public const string Marker = "bench-child:";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--warm-up", var corpus, .. var rest])
        {
            await WarmUpAsync(rest[0], corpus);
            args = rest;
        }
        using var memory = new MemorySampler();
        var clock = Stopwatch.StartNew();
        var code = await JobRunner.RunAsync(StageOf(args[0]), args[1..]);
        clock.Stop();
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{Marker} exit={code} seconds={clock.Elapsed.TotalSeconds:F3} peak_kib={PeakKib()} {memory.Fields()}"));
        return code;
    }

    private static Stage StageOf(string name) => name switch
    {
        "ingest" => new IngestStage(),
        "chunk" => new ChunkStage(),
        _ => throw new ArgumentException($"unknown stage {name}"),
    };

    private static async Task WarmUpAsync(string stage, string corpus)
    {
        var lake = Directory.CreateTempSubdirectory("jobs-ingest-bench-warm-");
        try
        {
            var chunk = BenchCorpus.ChunkArgs(lake.FullName);
            var code = await JobRunner.RunAsync(new IngestStage(), [.. chunk, "--source", corpus]);
            if (code == 0 && stage == "chunk") code = await JobRunner.RunAsync(new ChunkStage(), chunk);
            if (code != 0) throw new InvalidOperationException($"warm-up {stage} exited {code}");
        }
        finally
        {
            lake.Delete(recursive: true);
        }
    }

    /// <summary>VmHWM of /proc/self/status: the most resident memory this process has held.</summary>
    private static long PeakKib()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return -1;
    }
}
