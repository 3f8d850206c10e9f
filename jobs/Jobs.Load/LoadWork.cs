using System.Runtime.CompilerServices;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Store;
using Jobs.Tables;
using Microsoft.Extensions.Logging;

namespace Jobs.Load;

/// <summary>One load run: vectors joined to chunks by id (memory bounded by the date chunk, the unit of scale-out).</summary>
public sealed partial class LoadWork(LakeStore lake, PgSchema schema, DateRangeLoader loader, PgRetry retry, EmbeddingModel model, JobContext context,
    LoadOptions options, ModelSwitch modelSwitch, ILogger<LoadWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        if (options.SwitchModel is { Length: > 0 } switchTo) return await SwitchAsync(switchTo, cancellationToken).ConfigureAwait(false);
        var chunk = context.Chunk;
        var vectors = new Dictionary<string, EmbeddingRow>(StringComparer.Ordinal);
        await foreach (var e in lake.ReadAsync(LakeTables.Embeddings, chunk, cancellationToken).ConfigureAwait(false))
            if (e.Model == model.Id) vectors[e.ChunkId] = e; // only vectors of the served model are loaded
        var deadLetters = await DeadLetterIds.ReadAsync(lake, chunk, cancellationToken).ConfigureAwait(false);

        // The schema step also sets up the side-by-side table when the configured model is not the served one.
        await retry.ExecuteAsync(async ct => await schema.EnsureAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        // Each attempt reads the lake afresh: a retried load is a whole load.
        var result = await retry.ExecuteAsync(async ct =>
        {
            var categories = new Dictionary<string, string?>(StringComparer.Ordinal); // doc id → category, filled as documents are copied
            return await loader.ReplaceAsync(chunk.Start, chunk.End, Documents(lake.ReadAsync(LakeTables.Documents, chunk, ct), categories),
                Chunks(lake.ReadAsync(LakeTables.Chunks, chunk, ct), vectors, deadLetters, categories, ct), ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        Loaded(result.Documents.Staged, result.Chunks.Staged, deadLetters.Count);
        var (d, c) = (result.Documents, result.Chunks);
        return StageResult.Of(d.Staged + c.Staged, ("documents", d.Staged), ("chunks", c.Staged), ("chunks_inserted", c.Inserted),
            ("chunks_updated", c.Updated), ("chunks_unchanged", c.Unchanged), ("chunks_deleted", c.Deleted), ("documents_inserted", d.Inserted),
            ("documents_updated", d.Updated), ("documents_deleted", d.Deleted), ("dead_letters", deadLetters.Count));
    }

    private async Task<StageResult> SwitchAsync(string switchTo, CancellationToken cancellationToken)
    {
        await retry.ExecuteAsync(async ct => await schema.EnsureAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var result = await retry.ExecuteAsync(async ct => await modelSwitch.SwitchAsync(switchTo, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return StageResult.Of(result.Chunks, ("chunks", result.Chunks), ("switched", result.Switched ? 1 : 0));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Documents} documents and {Chunks} chunks into PostgreSQL ({DeadLetters} dead-lettered chunks left out)")]
    private partial void Loaded(long documents, long chunks, long deadLetters);

    private static async IAsyncEnumerable<StoredDocument> Documents(IAsyncEnumerable<DocumentRow> rows, Dictionary<string, string?> categories)
    {
        await foreach (var d in rows.ConfigureAwait(false))
        {
            categories[d.DocId] = d.Category;
            yield return new StoredDocument(d.DocId, d.Day, d.Timestamp, d.Title, d.Category, d.Source, d.Text) { ContentHash = d.ContentHash };
        }
    }

    private static async IAsyncEnumerable<StoredChunk> Chunks(IAsyncEnumerable<ChunkRow> rows, Dictionary<string, EmbeddingRow> vectors,
        HashSet<string> deadLetters, Dictionary<string, string?> categories, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var c in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (!vectors.TryGetValue(c.ChunkId, out var e))
            {
                if (deadLetters.Contains(c.ChunkId)) continue; // embed gave up on it, and validate bounded how many
                // validate runs before load and fails on this; checking again keeps load safe when run alone.
                throw new InputRefusedException($"chunk {c.ChunkId} of document {c.DocId} has no embedding: run embed (and validate) for this date chunk first");
            }
            yield return new StoredChunk(c.ChunkId, c.DocId, c.Day, c.Ordinal, c.Text, c.TokenCount, e.Model, e.Embedding)
            {
                Category = categories.GetValueOrDefault(c.DocId),
                ContentHash = c.ContentHash,
            };
        }
    }
}
