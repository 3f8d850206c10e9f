using System.Runtime.CompilerServices;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Store;
using Microsoft.Extensions.Logging;

namespace Jobs.Load;

/// <summary>
/// Moves the date chunk from the lake into PostgreSQL + pgvector: documents and chunks-with-vectors replace the
/// chunk's days in one transaction (binary COPY), so a re-run leaves the same rows, never duplicates.
/// </summary>
public sealed class LoadStage : Stage
{
    public override string Name => "load";
    public override string Description => "Delta documents, chunks and embeddings → PostgreSQL + pgvector (binary COPY, idempotent per date chunk)";
    public override bool RequiresPostgres => true;

    public override async Task<StageResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var log = context.LoggerFactory.CreateLogger<LoadStage>();
        var range = DayPartition.Within(context.Chunk);
        // Vectors joined to chunks by id; memory is bounded by the date chunk, which is the unit of scale-out.
        var vectors = new Dictionary<string, EmbeddingRow>(StringComparer.Ordinal);
        await foreach (var e in new DeltaTable<EmbeddingRow>(context.Lake, LakeTables.Embeddings).ReadAsync(range, cancellationToken).ConfigureAwait(false))
            vectors[e.ChunkId] = e;

        await using var dataSource = PgDataSource.Create(context.Postgres);
        await PgSchema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var documents = new DeltaTable<DocumentRow>(context.Lake, LakeTables.Documents).ReadAsync(range, cancellationToken);
        var chunks = new DeltaTable<ChunkRow>(context.Lake, LakeTables.Chunks).ReadAsync(range, cancellationToken);
        var loaded = await DateRangeLoader.ReplaceAsync(dataSource, context.Chunk.Start, context.Chunk.End,
            ToStored(documents), ToStored(chunks, vectors), cancellationToken).ConfigureAwait(false);
        log.LogInformation("Loaded {Documents} documents and {Chunks} chunks into PostgreSQL", loaded.Documents, loaded.Chunks);
        return StageResult.Of(loaded.Documents + loaded.Chunks, ("documents", loaded.Documents), ("chunks", loaded.Chunks));
    }

    private static async IAsyncEnumerable<StoredDocument> ToStored(IAsyncEnumerable<DocumentRow> rows)
    {
        await foreach (var d in rows.ConfigureAwait(false))
            yield return new StoredDocument(d.DocId, d.Day, d.Timestamp, d.Title, d.Category, d.Source, d.Text);
    }

    private static async IAsyncEnumerable<StoredChunk> ToStored(IAsyncEnumerable<ChunkRow> rows, Dictionary<string, EmbeddingRow> vectors)
    {
        await foreach (var c in rows.ConfigureAwait(false))
        {
            // validate runs before load and fails on this; checking again keeps load safe when run alone.
            if (!vectors.TryGetValue(c.ChunkId, out var e))
                throw new InputRefusedException($"chunk {c.ChunkId} of document {c.DocId} has no embedding: run embed (and validate) for this date chunk first");
            yield return new StoredChunk(c.ChunkId, c.DocId, c.Day, c.Ordinal, c.Text, c.TokenCount, e.Model, e.Embedding);
        }
    }
}
