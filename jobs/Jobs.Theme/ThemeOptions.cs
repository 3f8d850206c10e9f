using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Theme;

public enum ThemePeriod
{
    Month,
    Week,
}

/// <summary>How the window's passages are grouped into themes (section <c>Theme</c>, env <c>JOBS_THEME__*</c>).</summary>
public sealed class ThemeOptions : IValidatableObject
{
    public const string Section = "Theme";

    [Description("Fewest themes to consider"), Range(2, 200, ErrorMessage = "must be within {1}..{2}")]
    public int MinThemes { get; set; } = 5;

    [Description("Most themes to consider (the count with the best silhouette on the sample wins)"), Range(2, 200, ErrorMessage = "must be within {1}..{2}")]
    public int MaxThemes { get; set; } = 20;

    [Description("Vectors sampled to fit the themes (every chunk is then assigned)"), Range(100, 1_000_000, ErrorMessage = "must be within {1}..{2}")]
    public int SampleSize { get; set; } = 20_000;

    [Description("A passage less similar than this to every theme is an outlier (0: the sample's 5th percentile)"), Range(0.0, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double OutlierSimilarity { get; set; }

    [Description("A theme keeps the id of the previous run's theme whose centroid is at least this similar"), Range(0.5, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double MatchSimilarity { get; set; } = 0.9;

    [Description("Keywords per theme"), Range(1, 50, ErrorMessage = "must be within {1}..{2}")]
    public int Keywords { get; set; } = 10;

    [Description("A word in more than this share of the window's passages is boilerplate, not a keyword (1: keep all)"), Range(0.001, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double MaxKeywordShare { get; set; } = 0.1;

    [Description("month or week: the periods of the sizes over time")]
    public ThemePeriod Period { get; set; } = ThemePeriod.Month;

    [Description("Write a static HTML report of the run's themes (keywords, passages, sizes over time) to this file")]
    public string? Report { get; set; }

    [Description("Seed of the sample and of k-means, so that a re-run gives the same themes")]
    public int Seed { get; set; } = 42;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxThemes < MinThemes) yield return new ValidationResult($"must be at least --min-themes ({MinThemes})", [nameof(MaxThemes)]);
    }
}
