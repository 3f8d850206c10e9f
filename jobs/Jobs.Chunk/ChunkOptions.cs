using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Jobs.Contracts;
using Microsoft.Extensions.Options;

namespace Jobs.Chunk;

/// <summary>How documents are cut into passages (section <c>Chunk</c>, env <c>JOBS_CHUNK__*</c>).</summary>
public sealed class ChunkOptions
{
    public const string Section = "Chunk";

    [Description("Tokens per chunk, [CLS] and [SEP] included (at most the model's limit)"), Range(16, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int MaxTokens { get; set; } = 256;

    [Description("Tokens shared by consecutive chunks"), Range(0, int.MaxValue, ErrorMessage = "must not be negative")]
    public int OverlapTokens { get; set; } = 32;

    [Description("Tokens of context (the document's title, and the section heading above a passage) given to the embedder with each chunk, kept apart from its text; a longer title is cut at a word; 0 for none. At most a quarter of --max-tokens is used"), Range(0, int.MaxValue, ErrorMessage = "must not be negative")]
    public int ContextMaxTokens { get; set; } = 48;
}

/// <summary>The rules that need the model: a chunk fits its token limit, and the overlap leaves room to advance.</summary>
internal sealed class ChunkOptionsValidator(EmbeddingModel model) : IValidateOptions<ChunkOptions>
{
    public ValidateOptionsResult Validate(string? name, ChunkOptions options)
    {
        var problems = new List<string>();
        if (options.MaxTokens > model.MaxTokens)
            problems.Add($"--max-tokens {options.MaxTokens} is over the {model.MaxTokens}-token limit of {model.Id}");
        if (options.MaxTokens >= 16 && options.OverlapTokens >= options.MaxTokens / 2)
            problems.Add($"--overlap-tokens must be below half of --max-tokens ({options.MaxTokens / 2}), not {options.OverlapTokens}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
