using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Quality;

/// <summary>Thresholds of the data-quality checks (section <c>Quality</c>, env <c>JOBS_QUALITY__*</c>).</summary>
public sealed class QualityOptions
{
    public const string Section = "Quality";

    [Description("Ids of failing rows kept per check"), Range(0, 100, ErrorMessage = "must be within {1}..{2}")]
    public int SampleRows { get; set; } = 5;

    [Description("A document's text longer than this many characters is an error"), Range(1, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int MaxDocumentChars { get; set; } = 1_000_000;

    [Description("Warn when fewer documents than this land in the date chunk"), Range(0, int.MaxValue, ErrorMessage = "must not be negative")]
    public int MinDocuments { get; set; } = 1;

    [Description("Warn when quarantined records exceed this share of the chunk's records"), Range(0.0, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double MaxQuarantineShare { get; set; } = 0.05;

    [Description("Warn when the newest document is more than this many days before the chunk's last day"), Range(0, 36_600, ErrorMessage = "must be within {1}..{2}")]
    public int MaxStalenessDays { get; set; } = 31;

    [Description("Largest allowed distance of a vector's norm from 1 (normalising models)"), Range(0.0, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double NormTolerance { get; set; } = 1e-3;

    [Description("Error when dead-lettered chunks exceed this share of the chunk's chunks"), Range(0.0, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double MaxDeadLetterShare { get; set; } = 0.01;

    [Description("Two passages at least this cosine-similar are near duplicates"), Range(0.5, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double NearDuplicateSimilarity { get; set; } = 0.98;

    [Description("Warn when more than this share of sampled vectors has a near duplicate"), Range(0.0, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double MaxNearDuplicateShare { get; set; } = 0.05;

    [Description("Vectors sampled (seeded reservoir) for the near-duplicate rate"), Range(2, 20_000, ErrorMessage = "must be within {1}..{2}")]
    public int NearDuplicateSample { get; set; } = 2_000;
}
