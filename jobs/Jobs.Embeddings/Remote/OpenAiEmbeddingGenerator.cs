using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Jobs.Embeddings.Remote;

/// <summary>
/// An OpenAI-compatible <c>POST …/embeddings</c> (OpenAI, Azure OpenAI's v1 route, vLLM, LiteLLM, TEI's OpenAI route).
/// A small typed client rather than Microsoft.Extensions.AI.OpenAI: that adapter drops each item's <c>index</c>, and
/// the answer must be put back in input order by index (and every index accounted for) before it is trusted.
/// </summary>
public sealed class OpenAiEmbeddingGenerator(HttpClient http, Uri endpoint, string model, string? apiKey, int dimensions, bool sendDimensions)
    : HttpEmbeddingGenerator(http, endpoint, model, apiKey, "openai", dimensions)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToList();
        var request = new Request(Model, inputs, "float", sendDimensions ? Metadata.DefaultModelDimensions : null);
        var response = await PostAsync<Response>(new Uri(Endpoint, "embeddings"), request, cancellationToken).ConfigureAwait(false);
        var vectors = new float[inputs.Count][];
        foreach (var item in response.Data ?? throw new InvalidEmbeddingResponseException("the answer has no 'data'"))
        {
            if (item.Index < 0 || item.Index >= inputs.Count) throw new InvalidEmbeddingResponseException($"item index {item.Index} is outside 0..{inputs.Count - 1}");
            if (vectors[item.Index] is not null) throw new InvalidEmbeddingResponseException($"item index {item.Index} appears twice");
            vectors[item.Index] = item.Embedding ?? throw new InvalidEmbeddingResponseException($"item {item.Index} has no embedding");
        }
        var missing = Array.FindIndex(vectors, v => v is null);
        if (missing >= 0) throw new InvalidEmbeddingResponseException($"no vector for input {missing} of {inputs.Count}");
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = response.Model ?? Model, CreatedAt = created }))
        {
            Usage = response.Usage is { } u ? new UsageDetails { InputTokenCount = u.PromptTokens, TotalTokenCount = u.TotalTokens } : null,
        };
    }

    private sealed record Request(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("input")] IReadOnlyList<string> Input,
        [property: JsonPropertyName("encoding_format")] string EncodingFormat,
        [property: JsonPropertyName("dimensions"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Dimensions);

    private sealed record Response(
        [property: JsonPropertyName("data")] IReadOnlyList<Item>? Data,
        [property: JsonPropertyName("model")] string? Model,
        [property: JsonPropertyName("usage")] Usage? Usage);

    private sealed record Item([property: JsonPropertyName("index")] int Index, [property: JsonPropertyName("embedding")] float[]? Embedding);

    private sealed record Usage([property: JsonPropertyName("prompt_tokens")] long PromptTokens, [property: JsonPropertyName("total_tokens")] long TotalTokens);
}
