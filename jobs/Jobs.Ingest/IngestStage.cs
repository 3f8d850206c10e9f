using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Jobs.Ingest;

/// <summary>
/// Reads CSV/JSONL/Parquet files, Delta tables and PostgreSQL queries and replaces the chunk's days in <c>documents</c>; refused records go to
/// <c>quarantine</c> with the reason. Undated records have no chunk, so every run rewrites the null partition
/// with the same rows (idempotent) and counts them.
/// </summary>
public sealed class IngestStage : Stage<IngestWork>
{
    public override string Name => "ingest";
    public override string Description => "Source records (CSV, JSONL, Parquet, a Delta table, a PostgreSQL query) → Delta documents + quarantine";
    public override IReadOnlyList<OptionsSection> Sections => [OptionsSection.Of<IngestOptions>(IngestOptions.Section)];

    public override void ConfigureServices(IServiceCollection services)
    {
        services.AddLake();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestSourcesValidator>();
        services.AddSingleton<IValidateOptions<IngestOptions>, SourceOptionsValidator>();
        services.AddSingleton<IngestSources>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, SourceFailureClassifier>());
    }

    public override IEnumerable<string> Preflight(IServiceProvider services)
    {
        // A query's variable is checked with the other settings; object storage when the table is opened.
        return IngestSource.All(services.GetRequiredService<IngestOptions>()).Where(s => s.Format != SourceFormat.Postgres).SelectMany(s => s.Locations)
            .Where(s => !s.StartsWith("az://", StringComparison.OrdinalIgnoreCase))
            .Select(s => SourceFiles.IsTemplate(s) ? SourceFiles.RootOf(s) : s)
            .Where(s => !File.Exists(s) && !Directory.Exists(s)).Select(s => $"--source {s} does not exist");
    }
}
