using Jobs.Contracts;
using Jobs.Embeddings.Remote;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Polly.CircuitBreaker;

namespace Jobs.Embeddings;

public static class EmbeddingServices
{
    /// <summary>The named HttpClient of the remote providers (its resilience handler is <see cref="EmbeddingHttpPipeline"/>).</summary>
    public const string HttpClientName = "jobs-embeddings";

    /// <summary>
    /// The model's files and WordPiece tokenizer (for chunking: no weights are loaded). Needs the
    /// <see cref="EmbeddingModel"/> descriptor and <see cref="ModelOptions"/> in the services.
    /// </summary>
    public static IServiceCollection AddTokenizer(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => EmbeddingModelFiles.Locate(sp.GetRequiredService<IOptions<ModelOptions>>().Value.Dir));
        services.TryAddSingleton<BertTokenizer>(sp => WordPieceTokenizer.Create(sp.GetRequiredService<EmbeddingModelFiles>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, ModelFailureClassifier>());
        return services;
    }

    /// <summary>
    /// The embedding generator of the configured provider (<see cref="ModelOptions.Provider"/>): in-process ONNX
    /// Runtime, or an OpenAI-compatible, Ollama or TEI endpoint behind one resilient HttpClient, every answer validated.
    /// The one registration that embed, search and serve share, so queries are embedded as the stored vectors were.
    /// </summary>
    /// <param name="environment">Where <c>--api-key-env</c> is looked up (default: the process environment).</param>
    public static IServiceCollection AddEmbeddings(this IServiceCollection services, Func<IServiceProvider, Func<string, string?>>? environment = null)
    {
        services.AddTokenizer();
        if (services.Any(d => d.ServiceType == typeof(EmbeddingSecrets))) return services;
        services.AddSingleton(sp => new EmbeddingSecrets(environment?.Invoke(sp) ?? Environment.GetEnvironmentVariable));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetService<IOptions<EmbeddingClientOptions>>()?.Value ?? new EmbeddingClientOptions());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelOptions>, EmbeddingProviderValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, EmbeddingFailureClassifier>());
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("embeddings", (builder, context) =>
            {
                var log = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmbeddingHttpPipeline));
                EmbeddingHttpPipeline.Configure(builder, context.ServiceProvider.GetRequiredService<EmbeddingClientOptions>(),
                    context.ServiceProvider.GetRequiredService<TimeProvider>(), (attempt, delay, cause) => EmbeddingLog.Retrying(log, cause, attempt, delay.TotalMilliseconds));
            });
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(EmbeddingProviders.Create);
        services.TryAddSingleton(sp => new ResilientEmbedder(sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredService<EmbeddingModel>().Dimensions, sp.GetRequiredService<EmbeddingClientOptions>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ResilientEmbedder>>()));
        return services;
    }

    /// <summary>A missing or unloadable model is a deployment problem: a retry sees the same files.</summary>
    private sealed class ModelFailureClassifier : IFailureClassifier
    {
        public FailureKind? Classify(Exception exception) => exception is ModelNotFoundException or OnnxRuntimeException ? FailureKind.Configuration : null;
    }

    /// <summary>Refused credentials, a wrong endpoint or model name: exit 2. Anything else from the endpoint: a retry may help.</summary>
    private sealed class EmbeddingFailureClassifier : IFailureClassifier
    {
        public FailureKind? Classify(Exception exception) => exception switch
        {
            EmbeddingHttpException { IsConfiguration: true } => FailureKind.Configuration,
            HttpRequestException { StatusCode: System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound } => FailureKind.Configuration,
            EmbeddingException or BrokenCircuitException or Polly.Timeout.TimeoutRejectedException => FailureKind.Transient,
            _ => null,
        };
    }
}

/// <summary>Looks up the variable named by <c>--api-key-env</c>; the value is never logged or printed.</summary>
public sealed class EmbeddingSecrets(Func<string, string?> lookup)
{
    public string? Variable(string name) => lookup(name) is { Length: > 0 } value ? value : null;

    /// <summary>The key: the variable named by <see cref="ModelOptions.ApiKeyEnv"/>, else <see cref="ModelOptions.ApiKey"/>.</summary>
    public string? ApiKey(ModelOptions options) =>
        (options ?? throw new ArgumentNullException(nameof(options))).ApiKeyEnv is { Length: > 0 } name ? Variable(name) : options.ApiKey;
}
