using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Quality;
using Microsoft.Extensions.Logging;

namespace Jobs.Validate;

/// <summary>Runs the cross-stage checks for the date chunk; any failed hard check fails the task (exit code 4).</summary>
public sealed class ValidateStage : Stage
{
    public const int Dimensions = 384;

    public override string Name => "validate";
    public override string Description => "Data-quality gate across documents, chunks and embeddings for the date chunk";

    public override async Task<StageResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var log = context.LoggerFactory.CreateLogger<ValidateStage>();
        var range = DayPartition.Within(context.Chunk);
        var audit = new ChunkAudit(Dimensions);
        long documents = 0, chunks = 0, embeddings = 0, quarantined = 0;
        await foreach (var d in new DeltaTable<DocumentRow>(context.Lake, LakeTables.Documents).ReadAsync(range, cancellationToken).ConfigureAwait(false))
        {
            audit.AddDocument(d);
            documents++;
        }
        await foreach (var c in new DeltaTable<ChunkRow>(context.Lake, LakeTables.Chunks).ReadAsync(range, cancellationToken).ConfigureAwait(false))
        {
            audit.AddChunk(c);
            chunks++;
        }
        await foreach (var e in new DeltaTable<EmbeddingRow>(context.Lake, LakeTables.Embeddings).ReadAsync(range, cancellationToken).ConfigureAwait(false))
        {
            audit.AddEmbedding(e);
            embeddings++;
        }
        await foreach (var _ in new DeltaTable<QuarantineRow>(context.Lake, LakeTables.Quarantine).ReadAsync(range, cancellationToken).ConfigureAwait(false))
            quarantined++;

        var results = audit.Results();
        foreach (var r in results)
        {
            if (r.Passed) log.LogInformation("Check {Check} passed on {Checked} items", r.Name, r.Checked);
            else log.LogError("Check {Check} failed on {Failures} of {Checked} items, e.g. {Example}", r.Name, r.Failures, r.Checked, r.Example);
        }
        var failed = results.Where(r => r.Hard && !r.Passed).ToList();
        if (failed.Count > 0)
            throw new QualityGateException("hard checks failed: " + string.Join(", ", failed.Select(f => $"{f.Name} ({f.Failures} of {f.Checked}, e.g. {f.Example})")));
        return StageResult.Of(documents + chunks + embeddings, ("documents", documents), ("chunks", chunks), ("embeddings", embeddings),
            ("quarantined", quarantined), ("checks_passed", results.Count));
    }
}
