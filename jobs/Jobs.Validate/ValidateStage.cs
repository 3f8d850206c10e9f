using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Quality;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Validate;

/// <summary>Runs the cross-stage checks for the date chunk; any failed hard check fails the task (exit code 4).</summary>
public sealed class ValidateStage : Stage<ValidateWork>
{
    public override string Name => "validate";
    public override string Description => "Data-quality gate across documents, chunks and embeddings for the date chunk";
    public override IReadOnlyList<OptionsSection> Sections => [ModelServices.Section];

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddLake().AddEmbeddingModel();
}

public sealed partial class ValidateWork(EmbeddingModel model, LakeStore lake, JobContext context, ILogger<ValidateWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var audit = new ChunkAudit(model);
        long documents = 0, chunks = 0, embeddings = 0, quarantined = 0;
        await foreach (var d in lake.ReadAsync(LakeTables.Documents, context.Chunk, cancellationToken).ConfigureAwait(false))
        {
            audit.AddDocument(d);
            documents++;
        }
        await foreach (var c in lake.ReadAsync(LakeTables.Chunks, context.Chunk, cancellationToken).ConfigureAwait(false))
        {
            audit.AddChunk(c);
            chunks++;
        }
        await foreach (var e in lake.ReadAsync(LakeTables.Embeddings, context.Chunk, cancellationToken).ConfigureAwait(false))
        {
            audit.AddEmbedding(e);
            embeddings++;
        }
        await foreach (var _ in lake.ReadAsync(LakeTables.Quarantine, context.Chunk, cancellationToken).ConfigureAwait(false))
            quarantined++;

        var results = audit.Results();
        foreach (var r in results)
        {
            if (r.Passed) CheckPassed(r.Name, r.Checked);
            else CheckFailed(r.Name, r.Failures, r.Checked, r.Example);
        }
        var failed = results.Where(r => r.Hard && !r.Passed).ToList();
        if (failed.Count > 0)
            throw new QualityGateException("hard checks failed: " + string.Join(", ", failed.Select(f => $"{f.Name} ({f.Failures} of {f.Checked}, e.g. {f.Example})")));
        return StageResult.Of(documents + chunks + embeddings, ("documents", documents), ("chunks", chunks), ("embeddings", embeddings),
            ("quarantined", quarantined), ("checks_passed", results.Count));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Check {Check} passed on {Checked} items")]
    private partial void CheckPassed(string check, long @checked);

    [LoggerMessage(Level = LogLevel.Error, Message = "Check {Check} failed on {Failures} of {Checked} items, e.g. {Example}")]
    private partial void CheckFailed(string check, long failures, long @checked, string? example);
}
