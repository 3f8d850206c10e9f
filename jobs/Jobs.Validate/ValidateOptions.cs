using System.ComponentModel;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Quality;
using Microsoft.Extensions.Options;

namespace Jobs.Validate;

/// <summary>Which checks a validate run makes (section <c>Validate</c>, env <c>JOBS_VALIDATE__AFTER__0</c>...).</summary>
public sealed class ValidateOptions
{
    public const string Section = "Validate";

    [CliOption("--after"), Description("Check points: ingest, chunk, embed, load (repeat the flag; default: ingest, chunk and embed, plus load when --pg is given)")]
    public List<string> After { get; set; } = [];

    [Description("Also log a profile of the chunk's documents and chunks: null counts, text length and token count distributions, top categories (off: no cost)")]
    public bool Profile { get; set; }

    /// <summary>The points to check: those asked for, or every one that applies.</summary>
    public IReadOnlyList<CheckPoint> Points(bool hasStore) =>
        After.Count > 0
            ? [.. After.Select(Parse).Distinct().Order()]
            : hasStore ? [CheckPoint.Ingest, CheckPoint.Chunk, CheckPoint.Embed, CheckPoint.Load] : [CheckPoint.Ingest, CheckPoint.Chunk, CheckPoint.Embed];

    internal static CheckPoint? TryParse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "ingest" => CheckPoint.Ingest,
        "chunk" => CheckPoint.Chunk,
        "embed" => CheckPoint.Embed,
        "load" => CheckPoint.Load,
        _ => null,
    };

    private static CheckPoint Parse(string value) => TryParse(value) ?? throw new ArgumentException($"unknown check point '{value}'", nameof(value));
}

/// <summary>Every --after names a known point, and the load point has a store to look at.</summary>
internal sealed class ValidateOptionsValidator(JobContext context) : IValidateOptions<ValidateOptions>
{
    public ValidateOptionsResult Validate(string? name, ValidateOptions options)
    {
        var problems = options.After.Where(a => ValidateOptions.TryParse(a) is null)
            .Select(a => $"--after '{a}' is not a check point (ingest, chunk, embed, load)").ToList();
        if (options.After.Any(a => ValidateOptions.TryParse(a) == CheckPoint.Load) && context.PostgresOrNull is null)
            problems.Add("--after load needs the serving store: pass --pg or set JOBS_PG");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
