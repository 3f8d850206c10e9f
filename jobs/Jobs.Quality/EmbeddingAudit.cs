using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Quality;

/// <summary>
/// Checks after embed, on the chunk's <c>chunks</c>, <c>embeddings</c> and (when the table exists) dead letters, for the
/// served model's rows (another model's rows, embedded side by side, are only reported, as a warning): every
/// chunk has exactly one vector of the served model or a dead letter, no vector lacks its chunk or was made for other
/// text, each vector has the model's dimension (its length and the
/// dimension its row records, when it does), finite values and (normalising models) unit norm; the dead-letter share
/// is bounded (errors); the near-duplicate rate of a seeded sample is reported (warning). Feed chunks first.
/// </summary>
public sealed class EmbeddingAudit(EmbeddingModel model, QualityOptions options)
{
    private readonly Dictionary<string, ChunkState> _chunks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deadLetters = new(StringComparer.Ordinal);
    private readonly SampleTally _orphan = new(options.SampleRows), _otherModel = new(options.SampleRows), _staleHash = new(options.SampleRows),
        _dimension = new(options.SampleRows), _nonFinite = new(options.SampleRows), _norm = new(options.SampleRows);
    private readonly NearDuplicates _near = new(options.NearDuplicateSample, options.NearDuplicateSimilarity, seed: 42);
    private long _embeddings, _sideBySide;
    private double _worstNorm;

    public void AddChunk(ChunkRow chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        _chunks[chunk.ChunkId] = new ChunkState(chunk.ContentHash);
    }

    public void AddDeadLetter(string chunkId) => _deadLetters.Add(chunkId);

    public void AddEmbedding(EmbeddingRow embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        if (embedding.Model != model.Id)
        {
            // Another model's vectors, embedded side by side (a candidate for the next switch): checked when validate
            // runs for that model, not counted against the served one.
            _sideBySide++;
            _otherModel.Fail(embedding.ChunkId);
            return;
        }
        _embeddings++;
        if (!_chunks.TryGetValue(embedding.ChunkId, out var chunk)) _orphan.Fail(embedding.ChunkId);
        else
        {
            if (++chunk.Vectors == 2) _orphan.Fail(embedding.ChunkId); // a second vector for one chunk
            if (chunk.Hash != embedding.ContentHash) _staleHash.Fail(embedding.ChunkId);
        }
        var v = embedding.Embedding;
        // The dimension the row records (null in rows written before that column) and the vector's length must both be
        // the served model's.
        if (v.Length != model.Dimensions || (embedding.Dimension is { } recorded && recorded != model.Dimensions))
        {
            _dimension.Fail(embedding.ChunkId);
            return;
        }
        double sum = 0;
        foreach (var x in v)
        {
            if (!float.IsFinite(x))
            {
                _nonFinite.Fail(embedding.ChunkId);
                return;
            }
            sum += (double)x * x;
        }
        var deviation = Math.Abs(Math.Sqrt(sum) - 1);
        if (model.Normalize)
        {
            _worstNorm = Math.Max(_worstNorm, deviation);
            if (deviation > options.NormTolerance) _norm.Fail(embedding.ChunkId);
        }
        _near.Offer(embedding.ChunkId, v);
    }

    public IReadOnlyList<CheckResult> Results()
    {
        const CheckPoint p = CheckPoint.Embed;
        var missing = SampleTally.Of(_chunks.Where(kv => kv.Value.Vectors == 0 && !_deadLetters.Contains(kv.Key)).Select(kv => kv.Key)
            .Order(StringComparer.Ordinal), options.SampleRows);
        var dead = SampleTally.Of(_deadLetters.Where(_chunks.ContainsKey).Order(StringComparer.Ordinal), options.SampleRows);
        var (nearShare, nearPairs, sampled) = _near.Measure(options.SampleRows);
        List<CheckResult> results =
        [
            CheckResult.Rows(p, "chunks_have_embeddings", Severity.Error, _chunks.Count, missing),
            CheckResult.AtMost(p, "dead_letter_share", Severity.Error, _chunks.Count == 0 ? 0 : (double)dead.Count / _chunks.Count,
                options.MaxDeadLetterShare, _chunks.Count, dead),
            CheckResult.Rows(p, "embeddings_have_chunks", Severity.Error, _embeddings, _orphan),
            CheckResult.Rows(p, "embeddings_of_served_model", Severity.Warning, _embeddings + _sideBySide, _otherModel),
            CheckResult.Rows(p, "embedding_hashes_match_chunks", Severity.Error, _embeddings, _staleHash),
            CheckResult.Rows(p, "embedding_dimension", Severity.Error, _embeddings, _dimension),
            CheckResult.Rows(p, "embedding_values_finite", Severity.Error, _embeddings, _nonFinite),
        ];
        if (model.Normalize) results.Add(CheckResult.AtMost(p, "embedding_unit_norm", Severity.Error, _worstNorm, options.NormTolerance, _embeddings, _norm));
        results.Add(CheckResult.AtMost(p, "near_duplicate_share", Severity.Warning, nearShare, options.MaxNearDuplicateShare, sampled, nearPairs));
        return results;
    }

    private sealed class ChunkState(string hash)
    {
        public string Hash { get; } = hash;
        public int Vectors { get; set; }
    }
}
