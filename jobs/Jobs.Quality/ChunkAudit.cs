using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Quality;

/// <summary>
/// Cross-stage checks for one date chunk: documents → chunks → embeddings reconcile, no empty text, content hashes
/// match their text, and every vector comes from the served model, with its dimension, finite values and (for a
/// normalising model) unit norm. Rows are fed in one pass; memory holds only ids and counters for the chunk.
/// </summary>
public sealed class ChunkAudit(EmbeddingModel model, double normTolerance = 1e-3)
{
    private readonly HashSet<string> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _chunksPerDocument = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _embeddingsPerChunk = new(StringComparer.Ordinal);
    private readonly Tally _emptyDocumentText = new(), _emptyChunkText = new(), _hashMismatch = new(), _duplicateChunk = new(),
        _badVector = new(), _duplicateDocument = new(), _overWindow = new();
    private long _embeddingCount;

    public void AddDocument(DocumentRow doc)
    {
        if (!_documents.Add(doc.DocId)) _duplicateDocument.Fail(doc.DocId);
        if (string.IsNullOrWhiteSpace(doc.Text)) _emptyDocumentText.Fail(doc.DocId);
    }

    public void AddChunk(ChunkRow chunk)
    {
        if (!_embeddingsPerChunk.TryAdd(chunk.ChunkId, 0)) _duplicateChunk.Fail(chunk.ChunkId);
        _chunksPerDocument[chunk.DocId] = _chunksPerDocument.GetValueOrDefault(chunk.DocId) + 1;
        if (chunk.TokenCount + 2 > model.MaxTokens) _overWindow.Fail(chunk.ChunkId); // [CLS] and [SEP] besides its own tokens
        if (string.IsNullOrWhiteSpace(chunk.Text)) _emptyChunkText.Fail(chunk.ChunkId);
        else if (ContentHash.Of(chunk.Text) != chunk.ContentHash) _hashMismatch.Fail(chunk.ChunkId);
    }

    /// <summary>Call after all documents and chunks: embeddings are matched against the chunks seen.</summary>
    public void AddEmbedding(EmbeddingRow embedding)
    {
        _embeddingCount++;
        _embeddingsPerChunk[embedding.ChunkId] = _embeddingsPerChunk.GetValueOrDefault(embedding.ChunkId, -1_000_000) + 1;
        if (embedding.Model != model.Id) _badVector.Fail($"{embedding.ChunkId}: model {embedding.Model}, expected {model.Id}");
        else if (VectorProblem(embedding.Embedding) is { } problem) _badVector.Fail($"{embedding.ChunkId}: {problem}");
    }

    public IReadOnlyList<CheckResult> Results()
    {
        var unknownDocuments = _chunksPerDocument.Keys.Where(d => !_documents.Contains(d)).ToList();
        var withoutChunks = _documents.Where(d => !_chunksPerDocument.ContainsKey(d)).ToList();
        var missing = _embeddingsPerChunk.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList();
        var extra = _embeddingsPerChunk.Where(kv => kv.Value != 0 && kv.Value != 1).Select(kv => kv.Key).ToList();
        long chunks = _chunksPerDocument.Values.Sum();
        return
        [
            new("documents_unique", true, _documents.Count, _duplicateDocument.Count, _duplicateDocument.Example),
            new("documents_have_text", true, _documents.Count, _emptyDocumentText.Count, _emptyDocumentText.Example),
            new("documents_have_chunks", true, _documents.Count, withoutChunks.Count, withoutChunks.FirstOrDefault()),
            new("chunks_unique", true, chunks, _duplicateChunk.Count, _duplicateChunk.Example),
            new("chunks_have_documents", true, chunks, unknownDocuments.Count, unknownDocuments.FirstOrDefault()),
            new("chunks_have_text", true, chunks, _emptyChunkText.Count, _emptyChunkText.Example),
            new("chunk_hashes_match_text", true, chunks, _hashMismatch.Count, _hashMismatch.Example),
            new("chunks_within_model_window", true, chunks, _overWindow.Count, _overWindow.Example),
            new("chunks_have_one_embedding", true, chunks, missing.Count, missing.FirstOrDefault()),
            new("embeddings_match_chunks", true, _embeddingCount, extra.Count, extra.FirstOrDefault()),
            new("vectors_valid", true, _embeddingCount, _badVector.Count, _badVector.Example),
        ];
    }

    private string? VectorProblem(float[] v)
    {
        if (v.Length != model.Dimensions) return $"{v.Length} values, expected {model.Dimensions}";
        double sum = 0;
        foreach (var x in v)
        {
            if (!float.IsFinite(x)) return "non-finite value";
            sum += (double)x * x;
        }
        var norm = Math.Sqrt(sum);
        if (norm == 0) return "zero vector";
        return model.Normalize && Math.Abs(norm - 1) > normTolerance ? $"norm {norm:F4}, expected 1" : null;
    }

    private sealed class Tally
    {
        public long Count { get; private set; }
        public string? Example { get; private set; }

        public void Fail(string example)
        {
            Count++;
            Example ??= example;
        }
    }
}
