using System.Diagnostics;
using System.Globalization;

namespace Jobs.Store.Bench;

/// <summary>
/// CPU time spent on a write: the database container's (every server process, and psql when it runs in there, from the
/// container's cgroup: cgroup v1 cpuacct or v2 cpu.stat) plus this process's. On a build machine shared with other
/// jobs, wall time measures the queue for the cores; CPU time per row measures the work, so the ratios are computed
/// from it, and wall time is shown beside it.
/// </summary>
internal sealed class CpuClock(string containerId)
{
    private readonly string? _v1 = Existing($"/sys/fs/cgroup/cpuacct/docker/{containerId}/cpuacct.usage");
    private readonly string? _v2 = Existing($"/sys/fs/cgroup/system.slice/docker-{containerId}.scope/cpu.stat");

    public bool Available => _v1 is not null || _v2 is not null;

    /// <summary>Container plus client CPU, in seconds, since an arbitrary origin.</summary>
    public double Now()
    {
        var client = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (_v1 is not null) return client + long.Parse(File.ReadAllText(_v1).Trim(), CultureInfo.InvariantCulture) / 1e9;
        if (_v2 is not null)
        {
            var line = File.ReadLines(_v2).First(l => l.StartsWith("usage_usec ", StringComparison.Ordinal));
            return client + long.Parse(line["usage_usec ".Length..], CultureInfo.InvariantCulture) / 1e6;
        }
        return double.NaN;
    }

    private static string? Existing(string path) => File.Exists(path) ? path : null;
}
