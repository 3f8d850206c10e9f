using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Embed;

/// <summary>How chunks are embedded (section <c>Embed</c>, env <c>JOBS_EMBED__*</c>).</summary>
public sealed class EmbedOptions
{
    public const string Section = "Embed";

    [Description("Chunks per model call"), Range(1, 4096, ErrorMessage = "must be within {1}..{2}")]
    public int BatchSize { get; set; } = 64;

    [Description("Embed every chunk again instead of reusing vectors of unchanged text")]
    public bool FullRefresh { get; set; }

    [Description("Share of the chunk's chunks that may end dead-lettered before the run fails with exit 4"), Range(0.0, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double MaxDeadLetterShare { get; set; } = 0.01;

    [Description("Try the dead-lettered chunks of the range again (a plain run leaves them be) and remove those that succeed")]
    public bool ReplayDeadLetters { get; set; }

    [Description("New vectors per progress commit (a killed run resumes from the last one)"), Range(1, 10_000_000, ErrorMessage = "must be within {1}..{2}")]
    public int ProgressEvery { get; set; } = 5_000;
}
