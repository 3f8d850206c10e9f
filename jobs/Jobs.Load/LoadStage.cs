using System.Runtime.CompilerServices;
using Jobs.Hosting;
using Jobs.Store;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Load;

/// <summary>
/// Moves the date chunk from the lake into PostgreSQL + pgvector: documents and chunks-with-vectors replace the
/// chunk's days in one transaction (binary COPY), so a re-run leaves the same rows, never duplicates.
/// </summary>
public sealed class LoadStage : Stage<LoadWork>
{
    public override string Name => "load";
    public override string Description => "Delta documents, chunks and embeddings → PostgreSQL + pgvector (binary COPY, idempotent per date chunk)";
    public override bool RequiresPostgres => true;
    public override IReadOnlyList<OptionsSection> Sections => [ModelServices.Section];

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddLake().AddEmbeddingModel().AddStore(sp => sp.GetRequiredService<JobContext>().Postgres);
}

public sealed partial class LoadWork(LakeStore lake, PgSchema schema, DateRangeLoader loader, JobContext context, ILogger<LoadWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        // Vectors joined to chunks by id; memory is bounded by the date chunk, which is the unit of scale-out.
        var vectors = new Dictionary<string, EmbeddingRow>(StringComparer.Ordinal);
        await foreach (var e in lake.ReadAsync(LakeTables.Embeddings, context.Chunk, cancellationToken).ConfigureAwait(false))
            vectors[e.ChunkId] = e;

        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var documents = lake.ReadAsync(LakeTables.Documents, context.Chunk, cancellationToken);
        var chunks = lake.ReadAsync(LakeTables.Chunks, context.Chunk, cancellationToken);
        var categories = new Dictionary<string, string?>(StringComparer.Ordinal); // doc id → category, filled as documents are copied
        var loaded = await loader.ReplaceAsync(context.Chunk.Start, context.Chunk.End, ToStored(documents, categories), ToStored(chunks, vectors, categories), cancellationToken)
            .ConfigureAwait(false);
        Loaded(loaded.Documents, loaded.Chunks);
        return StageResult.Of(loaded.Documents + loaded.Chunks, ("documents", loaded.Documents), ("chunks", loaded.Chunks));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Documents} documents and {Chunks} chunks into PostgreSQL")]
    private partial void Loaded(long documents, long chunks);

    private static async IAsyncEnumerable<StoredDocument> ToStored(IAsyncEnumerable<DocumentRow> rows, Dictionary<string, string?> categories)
    {
        await foreach (var d in rows.ConfigureAwait(false))
        {
            categories[d.DocId] = d.Category;
            yield return new StoredDocument(d.DocId, d.Day, d.Timestamp, d.Title, d.Category, d.Source, d.Text);
        }
    }

    private static async IAsyncEnumerable<StoredChunk> ToStored(IAsyncEnumerable<ChunkRow> rows, Dictionary<string, EmbeddingRow> vectors,
        Dictionary<string, string?> categories)
    {
        await foreach (var c in rows.ConfigureAwait(false))
        {
            // validate runs before load and fails on this; checking again keeps load safe when run alone.
            if (!vectors.TryGetValue(c.ChunkId, out var e))
                throw new InputRefusedException($"chunk {c.ChunkId} of document {c.DocId} has no embedding: run embed (and validate) for this date chunk first");
            yield return new StoredChunk(c.ChunkId, c.DocId, c.Day, c.Ordinal, c.Text, c.TokenCount, e.Model, e.Embedding)
            {
                Category = categories.GetValueOrDefault(c.DocId),
            };
        }
    }
}
