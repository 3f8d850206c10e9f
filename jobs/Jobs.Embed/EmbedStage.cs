using System.CommandLine;
using System.Runtime.CompilerServices;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Lake;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Jobs.Embed;

/// <summary>
/// Replaces the chunk's days in <c>embeddings</c> with one vector per chunk. Vectors already in the table for the
/// same text and model are reused (content-addressed by the chunk's hash), so re-running an unchanged date chunk
/// makes no model calls, and only edited passages are embedded again.
/// </summary>
public sealed class EmbedStage : Stage
{
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Chunks per model call", DefaultValueFactory = _ => 64 };
    private readonly Option<bool> _fullRefresh = new("--full-refresh") { Description = "Embed every chunk again instead of reusing vectors of unchanged text" };

    public override string Name => "embed";
    public override string Description => "Delta chunks → embeddings (snowflake-arctic-embed-xs via ONNX Runtime, in-process)";
    public override IEnumerable<Option> Options => [_batchSize, _fullRefresh];

    public override void Validate(JobContext context)
    {
        if (context.Get(_batchSize) is < 1 or > 4096) throw new JobConfigurationException($"--batch-size must be within 1..4096, not {context.Get(_batchSize)}");
    }

    public override async Task<StageResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var log = context.LoggerFactory.CreateLogger<EmbedStage>();
        var range = DayPartition.Within(context.Chunk);
        var chunks = new DeltaTable<ChunkRow>(context.Lake, LakeTables.Chunks);
        var embeddings = new DeltaTable<EmbeddingRow>(context.Lake, LakeTables.Embeddings);
        var files = EmbeddingModelFiles.Locate();
        using var generator = new OnnxEmbeddingGenerator(files);
        log.LogInformation("Loaded model {Model} from {Origin}", ModelInfo.DefaultModelId, files.Origin);

        // Read the previous vectors of this range before the overwrite replaces them (bounded by the chunk's size).
        var previous = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!context.Get(_fullRefresh))
            await foreach (var e in embeddings.ReadAsync(range, cancellationToken).ConfigureAwait(false))
                if (e.Model == ModelInfo.DefaultModelId) previous.TryAdd(e.ContentHash, e.Embedding);

        var counts = new Counts();
        var rows = EmbedAll(chunks.ReadAsync(range, cancellationToken), generator, previous, context.Get(_batchSize), context.RunId, counts, log, cancellationToken);
        var commit = await embeddings.OverwriteAsync(rows, range, cancellationToken).ConfigureAwait(false);
        log.LogInformation("Committed embeddings version {Version}: {Embedded} embedded, {Reused} reused", commit.Version, counts.Embedded, counts.Reused);
        return StageResult.Of(counts.Chunks, ("chunks", counts.Chunks), ("embedded", counts.Embedded), ("reused", counts.Reused));
    }

    private static async IAsyncEnumerable<EmbeddingRow> EmbedAll(IAsyncEnumerable<ChunkRow> chunks,
        IEmbeddingGenerator<string, Embedding<float>> generator, Dictionary<string, float[]> previous, int batchSize, string runId,
        Counts counts, ILogger log, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<ChunkRow>(batchSize);
        await foreach (var chunk in chunks.ConfigureAwait(false))
        {
            counts.Chunks++;
            if (previous.TryGetValue(chunk.ContentHash, out var vector))
            {
                counts.Reused++;
                yield return Row(chunk, vector, runId);
                continue;
            }
            pending.Add(chunk);
            if (pending.Count < batchSize) continue;
            foreach (var row in await EmbedBatchAsync(pending, generator, runId, counts, log, cancellationToken).ConfigureAwait(false)) yield return row;
            pending.Clear();
        }
        if (pending.Count > 0)
            foreach (var row in await EmbedBatchAsync(pending, generator, runId, counts, log, cancellationToken).ConfigureAwait(false)) yield return row;
    }

    private static async Task<IEnumerable<EmbeddingRow>> EmbedBatchAsync(List<ChunkRow> batch, IEmbeddingGenerator<string, Embedding<float>> generator,
        string runId, Counts counts, ILogger log, CancellationToken cancellationToken)
    {
        var vectors = await generator.GenerateAsync(batch.Select(c => c.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
        counts.Embedded += batch.Count;
        log.LogDebug("Embedded a batch of {BatchSize} chunks", batch.Count);
        return batch.Zip(vectors, (chunk, v) => Row(chunk, v.Vector.ToArray(), runId)).ToList();
    }

    private static EmbeddingRow Row(ChunkRow chunk, float[] vector, string runId) => new()
    {
        ChunkId = chunk.ChunkId,
        DocId = chunk.DocId,
        ContentHash = chunk.ContentHash,
        Model = ModelInfo.DefaultModelId,
        Embedding = vector,
        RunId = runId,
        Day = chunk.Day,
    };

    private sealed class Counts
    {
        public long Chunks;
        public long Embedded;
        public long Reused;
    }
}
