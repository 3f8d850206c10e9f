using Jobs.Contracts;
using Jobs.Embeddings.Remote;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OllamaSharp;

namespace Jobs.Embeddings;

/// <summary>The providers by name, and how each generator is built from <see cref="ModelOptions"/>.</summary>
public static class EmbeddingProviders
{
    public const string Onnx = "onnx";
    public const string OpenAi = "openai";
    public const string Ollama = "ollama";
    public const string Tei = "tei";

    public static IReadOnlyList<string> Known { get; } = [Onnx, OpenAi, Ollama, Tei];

    private const int MaxOnnxBatch = 4096;

    public static bool IsRemote(string provider) => !string.Equals(provider, Onnx, StringComparison.OrdinalIgnoreCase);

    internal static IEmbeddingGenerator<string, Embedding<float>> Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ModelOptions>>().Value;
        var model = services.GetRequiredService<EmbeddingModel>();
        var provider = options.Provider.ToLowerInvariant();
        if (provider == Onnx)
            // The caller's batch is the model's batch (the embed stage groups its batches by token length).
            return new OnnxEmbeddingGenerator(services.GetRequiredService<EmbeddingModelFiles>(), model, batchSize: MaxOnnxBatch,
                threads: options.Threads, logger: services.GetRequiredService<ILogger<OnnxEmbeddingGenerator>>());

        var endpoint = BaseUri(options.Endpoint!, provider);
        var served = options.ServedModel ?? model.Id;
        var key = services.GetRequiredService<EmbeddingSecrets>().ApiKey(options);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(EmbeddingServices.HttpClientName);
        IEmbeddingGenerator<string, Embedding<float>> generator = provider switch
        {
            OpenAi => new OpenAiEmbeddingGenerator(http, endpoint, served, key, model.Dimensions, sendDimensions: options.Dimensions is not null),
            Tei => new TeiEmbeddingGenerator(http, endpoint, served, key, model.Dimensions),
            Ollama => OllamaClient(http, endpoint, served, key),
            _ => throw new InvalidOperationException($"unknown embedding provider '{options.Provider}'"),
        };
        var client = services.GetRequiredService<EmbeddingClientOptions>();
        if (client.TokensPerMinute > 0) generator = new TokenBudgetEmbeddingGenerator(generator, client.TokensPerMinute);
        EmbeddingLog.Remote(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmbeddingProviders)), provider,
            Redacted(endpoint), served, model.Id, key is not null);
        return new ValidatingEmbeddingGenerator(generator, model.Dimensions);
    }

    private static OllamaApiClient OllamaClient(HttpClient http, Uri endpoint, string model, string? key)
    {
        http.BaseAddress = endpoint;
        if (key is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return new OllamaApiClient(http, model);
    }

    /// <summary>The endpoint as a base for relative paths; an OpenAI-compatible endpoint given without a path gets /v1/.</summary>
    public static Uri BaseUri(string endpoint, string provider)
    {
        var uri = new Uri(endpoint, UriKind.Absolute);
        var text = uri.GetLeftPart(UriPartial.Path);
        if (string.Equals(provider, OpenAi, StringComparison.OrdinalIgnoreCase) && uri.AbsolutePath is "/" or "") text = text.TrimEnd('/') + "/v1";
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }

    /// <summary>For logs: scheme, host, port and path, never user info or a query string.</summary>
    public static string Redacted(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new UriBuilder(endpoint) { UserName = "", Password = "", Query = "" }.Uri.ToString();
    }
}
