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
}
