using System.Globalization;

namespace Jobs.Ingest.Bench;

/// <summary>
/// Samples the process's memory every 10 ms while a stage runs, to tell what its peak RSS is made of: at the highest
/// resident set sampled, the GC heap's committed memory (objects, dead ones not yet collected, the collector's slack)
/// and the rest (runtime, JIT code, mapped assemblies, native buffers); and the largest heap a collection left
/// (objects still reachable, or in a generation not collected then). With BENCH_TIMELINE=1 it prints each new RSS
/// high with the heap size per generation (gen0/gen1/gen2/LOH/POH, MiB) to stderr, to see which phase makes the peak.
/// </summary>
public sealed class MemorySampler : IDisposable
{
    private static readonly bool Timeline = Environment.GetEnvironmentVariable("BENCH_TIMELINE") == "1";
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private long _rss;
    private long _committedAtPeak;
    private long _heapAfterGc;

    public MemorySampler() => _timer = new Timer(_ => Sample(), null, 0, 10);

    private void Sample()
    {
        var info = GC.GetGCMemoryInfo();
        var rss = Environment.WorkingSet;
        lock (_gate)
        {
            _heapAfterGc = Math.Max(_heapAfterGc, info.HeapSizeBytes - info.FragmentedBytes);
            if (rss <= _rss) return;
            if (Timeline && rss >> 20 > _rss >> 20)
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mem {DateTime.UtcNow:HH:mm:ss.f} rss={rss >> 20} committed={info.TotalCommittedBytes >> 20} " +
                    $"gens={string.Join('/', Enumerable.Range(0, 5).Select(g => info.GenerationInfo[g].SizeAfterBytes >> 20))} fragmented={info.FragmentedBytes >> 20}"));
            _rss = rss;
            _committedAtPeak = info.TotalCommittedBytes;
        }
    }

    /// <summary>key=value fields for the child's result line (KiB).</summary>
    public string Fields()
    {
        Sample();
        lock (_gate)
            return string.Create(CultureInfo.InvariantCulture, $"gc_committed_kib={_committedAtPeak / 1024} gc_live_kib={_heapAfterGc / 1024} other_kib={(_rss - _committedAtPeak) / 1024}");
    }

    public void Dispose() => _timer.Dispose();
}
