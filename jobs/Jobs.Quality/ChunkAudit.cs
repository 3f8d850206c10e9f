using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Quality;

/// <summary>
/// Checks after chunk, on the chunk's <c>documents</c> and <c>chunks</c> rows: every document has chunks and every
/// chunk a document, chunk ids are unique, text is present and matches its hash, and no chunk exceeds the model's
/// token limit. Memory holds ids and counters only.
/// </summary>
public sealed class ChunkAudit(EmbeddingModel model, QualityOptions options)
{
    private const int SpecialTokens = 2;

    private readonly HashSet<string> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _chunksPerDocument = new(StringComparer.Ordinal);
    private readonly HashSet<string> _chunkIds = new(StringComparer.Ordinal);
    private readonly SampleTally _duplicate = new(options.SampleRows), _empty = new(options.SampleRows), _hash = new(options.SampleRows),
        _overLimit = new(options.SampleRows);
    private long _chunks;
    private int _maxTokens;

    public void AddDocument(DocumentRow doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        _documents.Add(doc.DocId);
    }

    public void AddChunk(ChunkRow chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        _chunks++;
        if (!_chunkIds.Add(chunk.ChunkId)) _duplicate.Fail(chunk.ChunkId);
        _chunksPerDocument[chunk.DocId] = _chunksPerDocument.GetValueOrDefault(chunk.DocId) + 1;
        if (string.IsNullOrWhiteSpace(chunk.Text)) _empty.Fail(chunk.ChunkId);
        else if (ContentHash.OfPassage(chunk.Context, chunk.Text) != chunk.ContentHash) _hash.Fail(chunk.ChunkId);
        // The model sees [CLS] and [SEP] besides the chunk's own tokens (and its prefix and context, which the stored
        // model input ids hold; rows written before them have the text's count alone): those count against its window too.
        var tokens = chunk.TokenIds?.Length ?? chunk.TokenCount + SpecialTokens;
        _maxTokens = Math.Max(_maxTokens, tokens);
        if (tokens > model.MaxTokens) _overLimit.Fail(chunk.ChunkId);
    }

    public IReadOnlyList<CheckResult> Results()
    {
        const CheckPoint p = CheckPoint.Chunk;
        var withoutChunks = SampleTally.Of(_documents.Where(d => !_chunksPerDocument.ContainsKey(d)).Order(StringComparer.Ordinal), options.SampleRows);
        var unknownDocuments = SampleTally.Of(_chunksPerDocument.Keys.Where(d => !_documents.Contains(d)).Order(StringComparer.Ordinal), options.SampleRows);
        return
        [
            CheckResult.Rows(p, "documents_have_chunks", Severity.Error, _documents.Count, withoutChunks),
            CheckResult.Rows(p, "chunks_have_documents", Severity.Error, _chunks, unknownDocuments),
            CheckResult.Rows(p, "chunk_ids_unique", Severity.Error, _chunks, _duplicate),
            CheckResult.Rows(p, "chunks_have_text", Severity.Error, _chunks, _empty),
            CheckResult.Rows(p, "chunk_hashes_match_text", Severity.Error, _chunks, _hash),
            CheckResult.AtMost(p, "chunk_token_limit", Severity.Error, _maxTokens, model.MaxTokens, _chunks, _overLimit),
        ];
    }
}
