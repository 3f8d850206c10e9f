using Jobs.Embeddings.Remote;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Jobs.Embeddings;

/// <summary>Why one input got no vector: the dead letter's error class and message, and how many calls included it.</summary>
public sealed record EmbedFailure(string ErrorClass, string Message, int Attempts);

/// <summary>One input's result: its vector, or why it has none.</summary>
public readonly record struct EmbedOutcome(float[]? Vector, EmbedFailure? Failure);

/// <summary>
/// Embeds a batch so that every input ends with a validated vector or a failure of its own. An answer that fails
/// validation is asked again (a second pipeline, for the payload's failure domain; transport retries happen in the
/// HttpClient); a batch that still fails is split in halves, recursively, so that one poison input costs only
/// itself. Failures that are not the inputs' fault (an open circuit, refused credentials, the caller's cancellation)
/// propagate and end the run.
/// </summary>
public sealed partial class ResilientEmbedder
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly OnnxEmbeddingGenerator? _onnx;
    private readonly int _dimensions;
    private readonly ResiliencePipeline _payload;
    private readonly ILogger _log;

    public ResilientEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator, int dimensions, EmbeddingClientOptions options,
        TimeProvider time, ILogger<ResilientEmbedder> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _generator = generator;
        _onnx = generator as OnnxEmbeddingGenerator; // itself, not through a wrapper, which would be bypassed
        _dimensions = dimensions;
        _log = log;
        _payload = new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<InvalidEmbeddingResponseException>().Handle<System.Text.Json.JsonException>(),
            MaxRetryAttempts = Math.Max(0, options.PayloadAttempts - 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),
            MaxDelay = TimeSpan.FromSeconds(options.RetryMaxDelaySeconds),
            OnRetry = args =>
            {
                InvalidAnswer(args.Outcome.Exception?.Message ?? "", args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    /// <summary>
    /// The <see cref="TokenizerFingerprint"/> of the model input ids the generator takes instead of text (the in-process
    /// ONNX model); null when it takes text only (the remote providers).
    /// </summary>
    public string? Tokenizer => _onnx?.Tokenizer;

    public Task<EmbedOutcome[]> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken) =>
        EmbedAsync(inputs, null, cancellationToken);

    /// <param name="tokenIds">
    /// Per input, its model input ids under <see cref="Tokenizer"/> (or null: its text is tokenized); ignored by a
    /// generator that takes text only.
    /// </param>
    public async Task<EmbedOutcome[]> EmbedAsync(IReadOnlyList<string> inputs, IReadOnlyList<IReadOnlyList<int>?>? tokenIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (tokenIds is not null && tokenIds.Count != inputs.Count) throw new ArgumentException($"{tokenIds.Count} token id lists for {inputs.Count} inputs", nameof(tokenIds));
        var outcomes = new EmbedOutcome[inputs.Count];
        var attempts = new int[inputs.Count];
        var ids = _onnx is not null && tokenIds is not null && tokenIds.Any(t => t is not null) ? tokenIds : null;
        if (inputs.Count > 0) await EmbedRangeAsync(inputs, ids, 0, inputs.Count, outcomes, attempts, cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    private async Task EmbedRangeAsync(IReadOnlyList<string> inputs, IReadOnlyList<IReadOnlyList<int>?>? tokenIds, int start, int count,
        EmbedOutcome[] outcomes, int[] attempts, CancellationToken cancellationToken)
    {
        var slice = inputs.Skip(start).Take(count).ToList();
        var idSlice = tokenIds?.Skip(start).Take(count).ToList();
        Exception failure;
        try
        {
            var result = await _payload.ExecuteAsync(async token =>
            {
                for (var i = start; i < start + count; i++) attempts[i]++;
                var generated = idSlice is null
                    ? await _generator.GenerateAsync(slice, cancellationToken: token).ConfigureAwait(false)
                    : await _onnx!.GenerateAsync(slice, idSlice, token).ConfigureAwait(false);
                EmbeddingValidation.Check(slice.Count, generated, _dimensions);
                return generated;
            }, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++) outcomes[start + i] = new EmbedOutcome(result[i].Vector.ToArray(), null);
            return;
        }
        catch (Exception e) when (ErrorClassOf(e, cancellationToken) is not null)
        {
            failure = e;
        }
        var errorClass = ErrorClassOf(failure, cancellationToken)!;
        if (count == 1)
        {
            DeadLettered(start, errorClass, attempts[start]);
            outcomes[start] = new EmbedOutcome(null, new EmbedFailure(errorClass, failure.Message, attempts[start]));
            return;
        }
        Splitting(count, errorClass);
        var half = count / 2;
        await EmbedRangeAsync(inputs, tokenIds, start, half, outcomes, attempts, cancellationToken).ConfigureAwait(false);
        await EmbedRangeAsync(inputs, tokenIds, start + half, count - half, outcomes, attempts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The error class of a failure the inputs may have caused (so it is split and, alone, dead-lettered); null for one
    /// that is not theirs and must end the run: wrong credentials, endpoint or model, an open circuit, a client-side
    /// limiter refusing, 429 after every retry, cancellation.
    /// </summary>
    public static string? ErrorClassOf(Exception e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (cancellationToken.IsCancellationRequested) return null;
        return e switch
        {
            EmbeddingHttpException { IsConfiguration: true } or EmbeddingHttpException { Status: 429 } => null,
            HttpRequestException { StatusCode: System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                or System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.TooManyRequests } => null,
            HttpRequestException { StatusCode: { } status } => $"http_{(int)status}",
            OllamaSharp.Models.Exceptions.OllamaException => "ollama_error",
            System.Text.Json.JsonException => "invalid_response",
            _ => EmbeddingHttpPipeline.ErrorClass(e) is { } c && c != "circuit_open" ? c : null,
        };
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Invalid answer from the embedding provider ({Problem}); asking again, attempt {Attempt}")]
    private partial void InvalidAnswer(string problem, int attempt);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "A batch of {Count} inputs still fails ({ErrorClass}); splitting it to isolate the cause")]
    private partial void Splitting(int count, string errorClass);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Input {Index} of its batch still fails after {Attempts} calls ({ErrorClass}): dead-lettered")]
    private partial void DeadLettered(int index, string errorClass, int attempts);
}
