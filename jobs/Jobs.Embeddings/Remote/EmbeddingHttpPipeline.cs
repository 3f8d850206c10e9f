using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Jobs.Embeddings.Remote;

/// <summary>
/// The resilience pipeline of the remote providers' HttpClient (Microsoft.Extensions.Http.Resilience, Polly v8), in
/// the house order: bounded concurrency and the request-rate limiter → total deadline → retry (exponential backoff
/// with jitter; Retry-After and retry-after-ms honoured) → circuit breaker → per-attempt timeout. Retried: 408, 429,
/// 5xx, attempt timeouts and dropped or refused connections; never the caller's cancellation.
/// </summary>
internal static class EmbeddingHttpPipeline
{

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, EmbeddingClientOptions options, TimeProvider time,
        Action<int, TimeSpan, string> onRetry)
    {
        builder.AddConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.MaxConcurrency, QueueLimit = int.MaxValue });
        if (options.RequestsPerMinute > 0)
            builder.AddRateLimiter(PerMinuteLimiter.Create(options.RequestsPerMinute));
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "total", Timeout = TimeSpan.FromSeconds(options.TotalTimeoutSeconds) });
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            Name = "retry",
            MaxRetryAttempts = options.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),
            MaxDelay = TimeSpan.FromSeconds(options.RetryMaxDelaySeconds),
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            // The server's own wait wins over the backoff; null falls back to exponential backoff with jitter.
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter.Of(response, time) : null),
            OnRetry = args =>
            {
                onRetry(args.AttemptNumber + 1, args.RetryDelay, Describe(args.Outcome));
                return ValueTask.CompletedTask; // Polly disposes the discarded response
            },
        });
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "circuit",
            FailureRatio = options.CircuitFailureRatio,
            MinimumThroughput = options.CircuitMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, options.CircuitBreakSeconds * 2)),
            BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakSeconds),
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
        });
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt", Timeout = TimeSpan.FromSeconds(options.AttemptTimeoutSeconds) });
    }

    /// <summary>Worth another attempt: 408, 429, 5xx, an attempt timeout, a refused or dropped connection.</summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException or HttpRequestException } => true,
        { Exception: not null } => false,
        { Result: { } r } => r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500,
        _ => false,
    };

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? e.GetType().Name : $"HTTP {(int)outcome.Result!.StatusCode}";

    /// <summary>Names an exception of the pipeline the way dead letters and logs do.</summary>
    public static string? ErrorClass(Exception e) => e switch
    {
        EmbeddingException x => x.ErrorClass,
        TimeoutRejectedException => "timeout",
        BrokenCircuitException => "circuit_open",
        HttpRequestException => "connection",
        _ => null,
    };
}
