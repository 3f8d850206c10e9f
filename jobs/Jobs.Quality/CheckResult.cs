namespace Jobs.Quality;

/// <summary>
/// The outcome of one named data-quality check on one date chunk: what it measured (<see cref="Observed"/>) against
/// its limit (<see cref="Threshold"/>), how many rows it looked at and how many failed, and a few of those rows' ids.
/// </summary>
public sealed record CheckResult(CheckPoint Point, string Name, Severity Severity, bool Passed, double Observed, double Threshold,
    long Checked, long Failures, IReadOnlyList<string> Samples)
{
    /// <summary>A check on rows that must all pass (at most <paramref name="allowed"/> may fail): observed = failing rows.</summary>
    public static CheckResult Rows(CheckPoint point, string name, Severity severity, long @checked, SampleTally failing, long allowed = 0) =>
        new(point, name, severity, failing.Count <= allowed, failing.Count, allowed, @checked, failing.Count, failing.Samples);

    /// <summary>A measure that must not exceed <paramref name="threshold"/>; <paramref name="failing"/> holds the rows over it.</summary>
    public static CheckResult AtMost(CheckPoint point, string name, Severity severity, double observed, double threshold, long @checked, SampleTally failing) =>
        new(point, name, severity, observed <= threshold, observed, threshold, @checked, failing.Count, failing.Samples);

    /// <summary>A measure that must reach <paramref name="threshold"/>.</summary>
    public static CheckResult AtLeast(CheckPoint point, string name, Severity severity, double observed, double threshold, long @checked) =>
        new(point, name, severity, observed >= threshold, observed, threshold, @checked, 0, []);

    /// <summary>Fails the gate: an error-severity check that did not pass.</summary>
    public bool Blocks => !Passed && Severity == Severity.Error;

    public override string ToString() =>
        $"{Point.ToString().ToLowerInvariant()}/{Name} observed {Observed:G6} (threshold {Threshold:G6}, {Failures} of {Checked} rows" +
        (Samples.Count > 0 ? $", e.g. {string.Join(", ", Samples)})" : ")");
}
