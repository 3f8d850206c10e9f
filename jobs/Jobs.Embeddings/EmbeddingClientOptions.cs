using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Embeddings;

/// <summary>
/// How a remote embedding provider is called (section <c>EmbeddingClient</c>, env <c>JOBS_EMBEDDINGCLIENT__*</c>): the
/// resilience pipeline of its HTTP client (rate limiters → total deadline → retry → circuit breaker → attempt
/// timeout) and how often an answer that fails validation is asked again. Ignored by the in-process onnx provider.
/// </summary>
public sealed class EmbeddingClientOptions
{
    public const string Section = "EmbeddingClient";

    [Description("HTTP attempts per request, the first included (408, 429, 5xx, timeouts, dropped connections are retried)"), Range(1, 20, ErrorMessage = "must be within {1}..{2}")]
    public int MaxAttempts { get; set; } = 6;

    [Description("First retry delay in ms (exponential with jitter; a Retry-After / retry-after-ms header wins)"), Range(0, 60_000, ErrorMessage = "must be within {1}..{2}")]
    public int RetryBaseDelayMs { get; set; } = 1_000;

    [Description("Longest backoff delay between two attempts, in seconds"), Range(0.001, 600, ErrorMessage = "must be within {1}..{2}")]
    public double RetryMaxDelaySeconds { get; set; } = 30;

    [Description("Timeout of one HTTP attempt, in seconds"), Range(0.01, 3600, ErrorMessage = "must be within {1}..{2}")]
    public double AttemptTimeoutSeconds { get; set; } = 60;

    [Description("Deadline of one request including all its retries, in seconds"), Range(0.01, 86_400, ErrorMessage = "must be within {1}..{2}")]
    public double TotalTimeoutSeconds { get; set; } = 600;

    [Description("Requests in flight at once"), Range(1, 256, ErrorMessage = "must be within {1}..{2}")]
    public int MaxConcurrency { get; set; } = 4;

    [Description("Client-side limit of requests per minute (0: none)"), Range(0, 1_000_000, ErrorMessage = "must be within {1}..{2}")]
    public int RequestsPerMinute { get; set; }

    [Description("Client-side limit of input tokens per minute, estimated as characters / 4 (0: none)"), Range(0, 100_000_000, ErrorMessage = "must be within {1}..{2}")]
    public int TokensPerMinute { get; set; }

    [Description("Share of failed attempts that opens the circuit"), Range(0.01, 1.0, ErrorMessage = "must be within {1}..{2}")]
    public double CircuitFailureRatio { get; set; } = 0.5;

    [Description("Attempts in the sampling window before the circuit may open"), Range(2, 100_000, ErrorMessage = "must be within {1}..{2}")]
    public int CircuitMinimumThroughput { get; set; } = 100;

    [Description("How long an open circuit refuses calls, in seconds"), Range(0.5, 3600, ErrorMessage = "must be within {1}..{2}")]
    public double CircuitBreakSeconds { get; set; } = 15;

    [Description("Calls per batch when the answer is malformed (wrong count, dimension, NaN) before the batch is split"), Range(1, 20, ErrorMessage = "must be within {1}..{2}")]
    public int PayloadAttempts { get; set; } = 3;
}
