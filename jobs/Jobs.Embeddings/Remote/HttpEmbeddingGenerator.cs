using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Jobs.Embeddings.Remote;

/// <summary>
/// The shared half of the small typed clients (OpenAI-compatible, TEI): POST a JSON body, turn an error status into an
/// <see cref="EmbeddingHttpException"/> and a body that is not the expected JSON into an
/// <see cref="InvalidEmbeddingResponseException"/>. Retries happen below, in the HttpClient's resilience handler.
/// </summary>
public abstract class HttpEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>NaN written as a JSON string still parses, so that validation names it rather than the parser.</summary>
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly HttpClient _http;
    private readonly string? _apiKey;

    protected HttpEmbeddingGenerator(HttpClient http, Uri endpoint, string model, string? apiKey, string provider, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http;
        _apiKey = apiKey;
        Endpoint = endpoint;
        Model = model;
        Metadata = new EmbeddingGeneratorMetadata(provider, endpoint, model, dimensions);
    }

    public EmbeddingGeneratorMetadata Metadata { get; }
    protected Uri Endpoint { get; }
    protected string Model { get; }

    public abstract Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default);

    protected async Task<T> PostAsync<T>(Uri uri, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent(body) };
        if (_apiKey is { Length: > 0 }) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new EmbeddingHttpException((int)response.StatusCode, $"{Metadata.ProviderName} endpoint answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
                return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidEmbeddingResponseException("the answer is JSON null");
        }
        catch (JsonException e)
        {
            // The parser's message names the position only, never the content.
            throw new InvalidEmbeddingResponseException($"malformed JSON: {e.Message}", e);
        }
    }

    private static ByteArrayContent JsonContent(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this
        : serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata : null;

    public void Dispose() => GC.SuppressFinalize(this);
}
