using System.Diagnostics;

namespace Jobs.Lake.Bench;

/// <summary>Wall time, allocations and peak working set of one measured step.</summary>
public sealed record Measurement(string Name, TimeSpan Elapsed, long AllocatedBytes, long PeakWorkingSetBytes)
{
    public static async Task<Measurement> RunAsync(string name, Func<Task> step)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        await step();
        clock.Stop();
        process.Refresh();
        return new Measurement(name, clock.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocated, process.PeakWorkingSet64);
    }

    public override string ToString() =>
        $"{Name,-52} {Elapsed.TotalMilliseconds,10:F1} ms  {AllocatedBytes / 1048576.0,9:F0} MiB allocated  peak RSS {PeakWorkingSetBytes / 1048576.0,6:F0} MiB";
}
