using Jobs.Hosting;
using Jobs.Quality;
using Jobs.Store;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Jobs.Validate;

/// <summary>
/// Runs the named data-quality checks of the date chunk at the chosen points (after ingest, chunk, embed, load), records
/// every verdict in the <c>dq_results</c> Delta table and the log, and fails the task (exit code 4) when an
/// error-severity check fails; warnings are reported only.
/// </summary>
public sealed class ValidateStage : Stage<ValidateWork>
{
    public override string Name => "validate";
    public override string Description => "Data-quality checks after ingest, chunk, embed and load for the date chunk (results in dq_results; exit 4 on an error)";
    public override IReadOnlyList<OptionsSection> Sections =>
        [ModelServices.Section, OptionsSection.Of<QualityOptions>(QualityOptions.Section), OptionsSection.Of<ValidateOptions>(ValidateOptions.Section)];

    public override void ConfigureServices(IServiceCollection services)
    {
        services.AddLake().AddEmbeddingModel().AddStore(sp => sp.GetRequiredService<JobContext>().Postgres);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ValidateOptions>, ValidateOptionsValidator>());
    }
}
