using System.Diagnostics;
using Jobs.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>
/// In-process embeddings with ONNX Runtime: WordPiece ids → BERT → pooled vector (CLS or mean, as the model's
/// <see cref="EmbeddingModel"/> descriptor says) → L2 normalisation when the descriptor asks for it. Inputs are
/// batched by similar token length, since padding dominates the cost of mixed lengths. Inputs may come with the
/// model input ids the chunk stage stored (valid under <see cref="Tokenizer"/>): those go to the model as they are.
/// </summary>
public sealed partial class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly int _batchSize;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly EmbeddingModel _model;
    private readonly ILogger _log;
    private long _tokenized;

    public OnnxEmbeddingGenerator(EmbeddingModelFiles files, EmbeddingModel model, int batchSize = 32, int? threads = null, ILogger<OnnxEmbeddingGenerator>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var intraOp = threads ?? Environment.ProcessorCount;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOp,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(files.ReadModel(), options);
        _tokenizer = WordPieceTokenizer.Create(files);
        Tokenizer = TokenizerFingerprint.Of(files, model);
        _batchSize = batchSize;
        _model = model;
        _log = logger ?? NullLogger<OnnxEmbeddingGenerator>.Instance;
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", null, model.Id, model.Dimensions);
        Loaded(model.Id, files.Origin, _session.InputMetadata.Count, intraOp);
    }

    /// <summary>The <see cref="TokenizerFingerprint"/> stored ids must carry to be fed to this model as they are.</summary>
    public string Tokenizer { get; }

    /// <summary>Inputs this generator has tokenized (not counting those that came with their ids).</summary>
    public long Tokenized => Interlocked.Read(ref _tokenized);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Generate(values.Select(Tokenize).ToList(), cancellationToken);

    /// <summary>
    /// Embeds <paramref name="values"/>, each from its model input ids in <paramref name="tokenIds"/> ([CLS] … [SEP], as
    /// the tokenizer of <see cref="Tokenizer"/> gives them for the text) when there are some, else from its text.
    /// </summary>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IReadOnlyList<string> values, IReadOnlyList<IReadOnlyList<int>?> tokenIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Count != values.Count) throw new ArgumentException($"{tokenIds.Count} token id lists for {values.Count} inputs", nameof(tokenIds));
        // Ids over the window would be cut by the tokenizer: tokenizing the text gives exactly what the text path gives.
        return Generate(values.Select((v, i) => tokenIds[i] is { Count: > 0 } given && given.Count <= _model.MaxTokens ? given : Tokenize(v)).ToList(),
            cancellationToken);
    }

    private IReadOnlyList<int> Tokenize(string value)
    {
        Interlocked.Increment(ref _tokenized);
        return _tokenizer.ModelInput(value, _model.MaxTokens);
    }

    private Task<GeneratedEmbeddings<Embedding<float>>> Generate(List<IReadOnlyList<int>> ids, CancellationToken cancellationToken)
    {
        var vectors = new float[ids.Count][];
        foreach (var batch in ids.Select((tokens, index) => (tokens, index)).OrderBy(x => x.tokens.Count).Chunk(_batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var embedded = RunBatch(batch.Select(b => b.tokens).ToList());
            BatchRun(batch.Length, batch.Max(b => b.tokens.Count), clock.Elapsed.TotalMilliseconds);
            for (var i = 0; i < batch.Length; i++) vectors[batch[i].index] = embedded[i];
        }
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v)
        {
            ModelId = _model.Id,
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
        var dims = _model.Dimensions;
        if (hidden.Length != batch.Count * length * dims)
            throw new ModelNotFoundException($"the ONNX model's hidden size is {hidden.Length / Math.Max(1, batch.Count * length)}, but {_model.Id} has {dims} dimensions");
        var result = new float[batch.Count][];
        for (var b = 0; b < batch.Count; b++)
        {
            result[b] = _model.Pooling == Pooling.Cls
                ? hidden.Slice(b * length * dims, dims).ToArray() // the first ([CLS]) token's hidden state
                : MeanPool(hidden.Slice(b * length * dims, length * dims), batch[b].Count, dims);
            if (_model.Normalize) Normalize(result[b]);
        }
        return result;
    }

    private static float[] MeanPool(ReadOnlySpan<float> states, int tokens, int dims)
    {
        var mean = new float[dims];
        for (var t = 0; t < tokens; t++)
            for (var d = 0; d < dims; d++) mean[d] += states[t * dims + d];
        for (var d = 0; d < dims; d++) mean[d] /= tokens;
        return mean;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} from {Origin} ({Inputs} inputs, {Threads} intra-op threads)")]
    private partial void Loaded(string model, string origin, int inputs, int threads);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Embedded {Count} inputs of up to {Tokens} tokens in {Milliseconds:F0} ms")]
    private partial void BatchRun(int count, int tokens, double milliseconds);
}
