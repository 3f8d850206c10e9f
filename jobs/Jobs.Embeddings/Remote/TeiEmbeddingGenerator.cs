using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Jobs.Embeddings.Remote;

/// <summary>
/// Hugging Face Text Embeddings Inference, <c>POST /embed</c> with <c>{"inputs": [...]}</c>: an array of vectors in
/// input order. TEI serves one model, so the model name is only recorded.
/// </summary>
public sealed class TeiEmbeddingGenerator(HttpClient http, Uri endpoint, string model, string? apiKey, int dimensions)
    : HttpEmbeddingGenerator(http, endpoint, model, apiKey, "tei", dimensions)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToList();
        var vectors = await PostAsync<float[]?[]>(new Uri(Endpoint, "embed"), new Request(inputs, Truncate: true), cancellationToken).ConfigureAwait(false);
        if (vectors.Length != inputs.Count) throw new InvalidEmbeddingResponseException($"expected {inputs.Count} vectors, got {vectors.Length}");
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select((v, i) =>
            new Embedding<float>(v ?? throw new InvalidEmbeddingResponseException($"vector {i} is null")) { ModelId = Model, CreatedAt = created }));
    }

    private sealed record Request([property: JsonPropertyName("inputs")] IReadOnlyList<string> Inputs, [property: JsonPropertyName("truncate")] bool Truncate);
}
