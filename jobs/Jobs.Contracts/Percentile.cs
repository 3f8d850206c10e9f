namespace Jobs.Contracts;

/// <summary>Percentiles by the nearest-rank method (the smallest value with at least p % of the values at or below it).</summary>
public static class Percentile
{
    public static double NearestRank(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
