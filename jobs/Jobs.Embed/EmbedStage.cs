using System.Runtime.CompilerServices;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Embed;

/// <summary>
/// Replaces the chunk's days in <c>embeddings</c> with one vector per chunk. Vectors already in the table for the
/// same text and model are reused (content-addressed by the chunk's hash), so re-running an unchanged date chunk
/// makes no model calls, and only edited passages are embedded again.
/// </summary>
public sealed class EmbedStage : Stage<EmbedWork>
{
    public override string Name => "embed";
    public override string Description => "Delta chunks → embeddings (the configured model; default snowflake-arctic-embed-xs via ONNX Runtime, in-process)";
    public override IReadOnlyList<OptionsSection> Sections => [OptionsSection.Of<EmbedOptions>(EmbedOptions.Section), ModelServices.Section];

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddLake().AddEmbeddingModel().AddEmbeddings();

    /// <summary>The model loads.</summary>
    public override IEnumerable<string> Preflight(IServiceProvider services)
    {
        services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        return [];
    }
}

public sealed partial class EmbedWork(EmbedOptions options, EmbeddingModel model, IEmbeddingGenerator<string, Embedding<float>> generator,
    LakeStore lake, JobContext context, ILogger<EmbedWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        // Read the previous vectors of this range before the overwrite replaces them (bounded by the chunk's size).
        var previous = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!options.FullRefresh)
            await foreach (var e in lake.ReadAsync(LakeTables.Embeddings, context.Chunk, cancellationToken).ConfigureAwait(false))
                if (e.Model == model.Id) previous.TryAdd(e.ContentHash, e.Embedding);

        var counts = new Counts();
        var rows = EmbedAll(lake.ReadAsync(LakeTables.Chunks, context.Chunk, cancellationToken), previous, options.BatchSize, counts, cancellationToken);
        await lake.ReplaceAsync(LakeTables.Embeddings, context.Chunk, rows, cancellationToken).ConfigureAwait(false);
        Embedded(counts.Embedded, counts.Reused, model.Id);
        return StageResult.Of(counts.Chunks, ("chunks", counts.Chunks), ("embedded", counts.Embedded), ("reused", counts.Reused));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded {Embedded} chunks and reused {Reused} vectors of unchanged text with {Model}")]
    private partial void Embedded(long embedded, long reused, string model);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Embedded a batch of {BatchSize} chunks")]
    private partial void BatchEmbedded(int batchSize);

    private async IAsyncEnumerable<EmbeddingRow> EmbedAll(IAsyncEnumerable<ChunkRow> chunks, Dictionary<string, float[]> previous, int batchSize,
        Counts counts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<ChunkRow>(batchSize);
        await foreach (var chunk in chunks.ConfigureAwait(false))
        {
            counts.Chunks++;
            if (previous.TryGetValue(chunk.ContentHash, out var vector))
            {
                counts.Reused++;
                yield return Row(chunk, vector);
                continue;
            }
            pending.Add(chunk);
            if (pending.Count < batchSize) continue;
            foreach (var row in await EmbedBatchAsync(pending, counts, cancellationToken).ConfigureAwait(false)) yield return row;
            pending.Clear();
        }
        if (pending.Count > 0)
            foreach (var row in await EmbedBatchAsync(pending, counts, cancellationToken).ConfigureAwait(false)) yield return row;
    }

    private async Task<IEnumerable<EmbeddingRow>> EmbedBatchAsync(List<ChunkRow> batch, Counts counts, CancellationToken cancellationToken)
    {
        var vectors = await generator.GenerateAsync(batch.Select(c => model.ForDocument(c.Text)), cancellationToken: cancellationToken).ConfigureAwait(false);
        counts.Embedded += batch.Count;
        BatchEmbedded(batch.Count);
        return batch.Zip(vectors, (chunk, v) => Row(chunk, v.Vector.ToArray())).ToList();
    }

    private EmbeddingRow Row(ChunkRow chunk, float[] vector) => new()
    {
        ChunkId = chunk.ChunkId,
        DocId = chunk.DocId,
        ContentHash = chunk.ContentHash,
        Model = model.Id,
        Embedding = vector,
        RunId = context.RunId,
        Day = chunk.Day,
    };

    private sealed class Counts
    {
        public long Chunks;
        public long Embedded;
        public long Reused;
    }
}
