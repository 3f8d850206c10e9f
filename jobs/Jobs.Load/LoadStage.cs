using Jobs.Hosting;
using Jobs.Store;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Jobs.Load;

/// <summary>
/// Moves the date chunk from the lake into PostgreSQL + pgvector: the schema is migrated first (advisory lock), then the
/// chunk's documents and chunks-with-vectors are binary-COPYed into staging tables and applied in one transaction
/// (insert new, update changed, delete vanished), retried on transient PostgreSQL errors; a re-run changes nothing.
/// A model that is not the served one (<c>--model X</c>) is loaded side by side; <c>--switch-model X</c> then serves it.
/// </summary>
public sealed class LoadStage : Stage<LoadWork>
{
    public override string Name => "load";
    public override string Description => "Delta documents, chunks and embeddings → PostgreSQL + pgvector (binary COPY to staging, one applying transaction per date chunk)";
    public override bool RequiresPostgres => true;
    public override IReadOnlyList<OptionsSection> Sections => [ModelServices.Section, OptionsSection.Of<StoreOptions>(StoreOptions.Section), OptionsSection.Of<LoadOptions>(LoadOptions.Section)];

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddLake().AddEmbeddingModel().AddStore(sp => sp.GetRequiredService<JobContext>().Postgres);
}
