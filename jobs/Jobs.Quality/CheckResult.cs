namespace Jobs.Quality;

/// <summary>The outcome of one data-quality check: how many items it looked at, how many failed, and one example.</summary>
public sealed record CheckResult(string Name, bool Hard, long Checked, long Failures, string? Example)
{
    public bool Passed => Failures == 0;
}
