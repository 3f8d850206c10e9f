using Microsoft.Extensions.AI;

namespace Jobs.Embeddings;

/// <summary>
/// What every answer must be before it becomes data: one vector per input, of the configured dimension, with finite
/// values and a non-zero norm. Anything else is an <see cref="InvalidEmbeddingResponseException"/> (retried, then
/// split), never a vector to store.
/// </summary>
public static class EmbeddingValidation
{
    public static void Check(int inputs, IReadOnlyList<Embedding<float>> embeddings, int dimensions)
    {
        if (embeddings.Count != inputs)
            throw new InvalidEmbeddingResponseException($"expected {inputs} vectors, got {embeddings.Count}");
        for (var i = 0; i < embeddings.Count; i++) Check(i, embeddings[i].Vector.Span, dimensions);
    }

    public static void Check(int index, ReadOnlySpan<float> vector, int dimensions)
    {
        if (vector.Length != dimensions)
            throw new InvalidEmbeddingResponseException($"vector {index} has dimension {vector.Length}, expected {dimensions}");
        var norm = 0.0;
        foreach (var v in vector)
        {
            if (!float.IsFinite(v)) throw new InvalidEmbeddingResponseException($"vector {index} has a non-finite value ({v})");
            norm += (double)v * v;
        }
        if (norm == 0) throw new InvalidEmbeddingResponseException($"vector {index} has zero norm");
    }
}

/// <summary>Checks every answer of the inner generator with <see cref="EmbeddingValidation"/>.</summary>
public sealed class ValidatingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int dimensions)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IReadOnlyCollection<string> ?? [.. values];
        var result = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        EmbeddingValidation.Check(inputs.Count, result, dimensions);
        return result;
    }
}
