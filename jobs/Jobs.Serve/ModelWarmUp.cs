using Jobs.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Jobs.Serve;

/// <summary>
/// Embeds one query before the service starts listening, so the in-process model's session is created (seconds on a
/// busy node) while <c>/readyz</c> does not answer yet, not inside the first user's request and its timeout. An unreachable
/// remote provider is logged and left to the requests: readiness does not depend on a service we do not run.
/// </summary>
internal sealed partial class ModelWarmUp(IEmbeddingGenerator<string, Embedding<float>> generator, EmbeddingModel model, ILogger<ModelWarmUp> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await generator.GenerateAsync([model.ForQuery("warm-up")], cancellationToken: cancellationToken).ConfigureAwait(false);
            WarmedUp(model.Id, (long)clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is Jobs.Embeddings.EmbeddingException or HttpRequestException or TimeoutException
            or Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException)
        {
            WarmUpFailed(e, model.Id);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Query model {Model} ready in {ElapsedMs} ms")]
    private partial void WarmedUp(string model, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Query model {Model} did not answer a warm-up query; requests will try again")]
    private partial void WarmUpFailed(Exception exception, string model);
}
