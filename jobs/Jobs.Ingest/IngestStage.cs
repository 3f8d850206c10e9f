using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Jobs.Ingest;

/// <summary>
/// Reads CSV/JSONL/Parquet sources and replaces the chunk's days in <c>documents</c>; refused records go to
/// <c>quarantine</c> with the reason. Undated records have no chunk, so every run rewrites the null partition
/// with the same rows (idempotent) and counts them.
/// </summary>
public sealed class IngestStage : Stage<IngestWork>
{
    public override string Name => "ingest";
    public override string Description => "Source records (CSV, JSONL, Parquet) → Delta documents + quarantine";
    public override IReadOnlyList<OptionsSection> Sections => [OptionsSection.Of<IngestOptions>(IngestOptions.Section)];

    public override void ConfigureServices(IServiceCollection services)
    {
        services.AddLake();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestSourcesValidator>();
    }

    public override IEnumerable<string> Preflight(IServiceProvider services) =>
        IngestSource.All(services.GetRequiredService<IngestOptions>()).SelectMany(s => s.Locations)
            .Select(s => SourceFiles.IsTemplate(s) ? SourceFiles.RootOf(s) : s)
            .Where(s => !File.Exists(s) && !Directory.Exists(s)).Select(s => $"--source {s} does not exist");
}
