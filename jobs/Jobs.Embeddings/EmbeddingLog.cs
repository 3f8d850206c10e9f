using Microsoft.Extensions.Logging;

namespace Jobs.Embeddings;

/// <summary>The library's log events (ids 31xx; the per-class events of ResilientEmbedder share the range).</summary>
internal static partial class EmbeddingLog
{
    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "Embedding request failed ({Cause}); attempt {Attempt} in {DelayMs:F0} ms")]
    public static partial void Retrying(ILogger logger, string cause, int attempt, double delayMs);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "Embedding with {Provider} at {Endpoint}, served model {ServedModel} as {Model} (API key: {HasKey})")]
    public static partial void Remote(ILogger logger, string provider, string endpoint, string servedModel, string model, bool hasKey);
}
