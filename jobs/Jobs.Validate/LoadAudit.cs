using Jobs.Contracts;
using Jobs.Quality;
using Jobs.Store;
using Jobs.Tables;

namespace Jobs.Validate;

/// <summary>
/// Checks after load: the store's rows of the chunk equal the lake's (count and checksum over ids and content hashes,
/// the differences named when not), and every stored vector is of the served model (as the store records it). When the
/// configured model is being loaded side by side, its table (<c>chunks_next</c>) is the one reconciled. The lake side is
/// digested as it is read; the rows themselves are fetched again only when a digest differs.
/// </summary>
internal sealed class LoadAudit(LakeStore lake, DateChunk chunk, StoreAudit store, EmbeddingModel model, QualityOptions quality)
{
    private RowSetDigest _documents, _chunks;
    private readonly HashSet<string> _loadedChunkIds = new(StringComparer.Ordinal);

    public void AddDocument(DocumentRow d) => _documents = _documents.Add(d.DocId, d.ContentHash);

    public void AddChunk(ChunkRow c)
    {
        _chunks = _chunks.Add(c.ChunkId, c.ContentHash);
        _loadedChunkIds.Add(c.ChunkId);
    }

    public async Task<IReadOnlyList<CheckResult>> ResultsAsync(CancellationToken cancellationToken)
    {
        var storedDocuments = await store.DigestAsync(StoreAudit.Table.Documents, chunk.Start, chunk.End, cancellationToken).ConfigureAwait(false);
        var chunksTable = await store.ChunksOfAsync(model.Id, cancellationToken).ConfigureAwait(false);
        var storedChunks = await store.DigestAsync(chunksTable, chunk.Start, chunk.End, cancellationToken).ConfigureAwait(false);
        var documentRows = storedDocuments == _documents ? Empty : await RowsAsync(StoreAudit.Table.Documents, cancellationToken).ConfigureAwait(false);
        var chunkRows = storedChunks == _chunks ? Empty : await RowsAsync(chunksTable, cancellationToken).ConfigureAwait(false);
        var (otherModel, samples) = await store.OtherModelAsync(model.Id, chunk.Start, chunk.End, quality.SampleRows, cancellationToken, chunksTable)
            .ConfigureAwait(false);
        return
        [
            StoreReconciliation.Compare("store_documents_match_lake", (_documents.Count, _documents.Checksum), (storedDocuments.Count, storedDocuments.Checksum),
                () => documentRows, quality.SampleRows),
            StoreReconciliation.Compare("store_chunks_match_lake", (_chunks.Count, _chunks.Checksum), (storedChunks.Count, storedChunks.Checksum),
                () => chunkRows, quality.SampleRows),
            new CheckResult(CheckPoint.Load, "store_vectors_of_served_model", Severity.Error, otherModel == 0, otherModel, 0, storedChunks.Count, otherModel, samples),
        ];
    }

    private static readonly (IReadOnlyDictionary<string, string> Lake, IReadOnlyDictionary<string, string> Store) Empty =
        (new Dictionary<string, string>(), new Dictionary<string, string>());

    private async Task<(IReadOnlyDictionary<string, string> Lake, IReadOnlyDictionary<string, string> Store)> RowsAsync(StoreAudit.Table table,
        CancellationToken cancellationToken)
    {
        var lakeRows = new Dictionary<string, string>(StringComparer.Ordinal);
        if (table == StoreAudit.Table.Documents)
            await foreach (var d in lake.ReadAsync(LakeTables.Documents, chunk, cancellationToken).ConfigureAwait(false)) lakeRows[d.DocId] = d.ContentHash;
        else
            await foreach (var c in lake.ReadAsync(LakeTables.Chunks, chunk, cancellationToken).ConfigureAwait(false))
                if (_loadedChunkIds.Contains(c.ChunkId)) lakeRows[c.ChunkId] = c.ContentHash;
        return (lakeRows, await store.RowsAsync(table, chunk.Start, chunk.End, cancellationToken).ConfigureAwait(false));
    }
}
