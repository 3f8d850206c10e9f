using System.Diagnostics;
using System.Globalization;
using Jobs.Chunk;
using Jobs.Hosting;
using Jobs.Ingest;

namespace Jobs.Ingest.Bench;

/// <summary>
/// One stage run in its own process, as a pod runs it: the stage's own runner, then its wall time and the process's
/// peak resident set (VmHWM) on the last line of stderr, for the parent to read.
/// </summary>
public static class StageChild
{
    public const string Marker = "bench-child:";

    public static async Task<int> RunAsync(string[] args)
    {
        Stage stage = args[0] switch
        {
            "ingest" => new IngestStage(),
            "chunk" => new ChunkStage(),
            _ => throw new ArgumentException($"unknown stage {args[0]}"),
        };
        using var memory = new MemorySampler();
        var clock = Stopwatch.StartNew();
        var code = await JobRunner.RunAsync(stage, args[1..]);
        clock.Stop();
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{Marker} exit={code} seconds={clock.Elapsed.TotalSeconds:F3} peak_kib={PeakKib()} {memory.Fields()}"));
        return code;
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
