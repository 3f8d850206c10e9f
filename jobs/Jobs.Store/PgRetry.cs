using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Jobs.Store;

/// <summary>
/// The one retry pipeline of the PostgreSQL failure domain (Polly v8): exponential backoff with jitter on
/// <see cref="PgTransience.IsTransient"/> errors only. A retried step must be whole (stage rows, then apply them in one
/// transaction), so an attempt that died halfway left nothing behind for the next one to trip over.
/// </summary>
public sealed partial class PgRetry
{
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger<PgRetry> _log;

    public PgRetry(StoreOptions options, ILogger<PgRetry>? log = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log ?? NullLogger<PgRetry>.Instance;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System };
        if (options.MaxRetries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = TimeSpan.FromSeconds(options.RetryDelaySeconds),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(PgTransience.IsTransient),
                OnRetry = args =>
                {
                    Retrying(args.Outcome.Exception, args.AttemptNumber + 1, options.MaxRetries, args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        _pipeline = builder.Build();
    }

    public ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> step, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(step, cancellationToken);

    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> step, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(step, cancellationToken);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Transient PostgreSQL failure, retry {Attempt} of {MaxRetries} in {DelayMs} ms")]
    private partial void Retrying(Exception? exception, int attempt, int maxRetries, double delayMs);
}
