using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>
/// In-process embeddings with ONNX Runtime: WordPiece ids → BERT → CLS vector → L2 normalisation (the model card's
/// pooling). Inputs are batched by similar token length, since padding dominates the cost of mixed lengths.
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly int _batchSize;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public OnnxEmbeddingGenerator(EmbeddingModelFiles files, int batchSize = 32, int? threads = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads ?? Environment.ProcessorCount,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(files.ReadModel(), options);
        _tokenizer = WordPieceTokenizer.Create(files);
        _batchSize = batchSize;
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", null, ModelInfo.DefaultModelId, ModelInfo.Dimensions);
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ids = values.Select(v => _tokenizer.EncodeToIds(v, ModelInfo.MaxTokens, addSpecialTokens: true, out _, out _)).ToList();
        var vectors = new float[ids.Count][];
        foreach (var batch in ids.Select((tokens, index) => (tokens, index)).OrderBy(x => x.tokens.Count).Chunk(_batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var embedded = RunBatch(batch.Select(b => b.tokens).ToList());
            for (var i = 0; i < batch.Length; i++) vectors[batch[i].index] = embedded[i];
        }
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v)
        {
            ModelId = ModelInfo.DefaultModelId,
            CreatedAt = created,
        }));
        return Task.FromResult(result);
    }

    private float[][] RunBatch(IReadOnlyList<IReadOnlyList<int>> batch)
    {
        var length = batch.Max(t => t.Count);
        var inputIds = new long[batch.Count * length];
        var mask = new long[batch.Count * length];
        var types = new long[batch.Count * length];
        for (var b = 0; b < batch.Count; b++)
            for (var t = 0; t < batch[b].Count; t++)
            {
                inputIds[b * length + t] = batch[b][t];
                mask[b * length + t] = 1;
            }
        long[] shape = [batch.Count, length];
        using var ids = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var attention = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var tokenTypes = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions,
            ["input_ids", "attention_mask", "token_type_ids"], [ids, attention, tokenTypes], ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var dims = ModelInfo.Dimensions;
        var result = new float[batch.Count][];
        for (var b = 0; b < batch.Count; b++)
        {
            // CLS pooling: the first token's hidden state, then unit length.
            result[b] = hidden.Slice(b * length * dims, dims).ToArray();
            Normalize(result[b]);
        }
        return result;
    }

    internal static void Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(x => x * x));
        if (norm > 0) for (var i = 0; i < vector.Length; i++) vector[i] /= norm;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() => _session.Dispose();
}
