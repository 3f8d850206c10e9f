using Jobs.Embeddings;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>The real snowflake-arctic-embed-xs model through ONNX Runtime.</summary>
public sealed class OnnxEmbeddingGeneratorTests(ModelFixture model) : IClassFixture<ModelFixture>
{
    private static float Cosine(ReadOnlyMemory<float> a, ReadOnlyMemory<float> b)
    {
        float dot = 0;
        for (var i = 0; i < a.Length; i++) dot += a.Span[i] * b.Span[i];
        return dot;
    }

    [Fact]
    public void Tokenizer_AddsClsAndSep_AndLowerCases()
    {
        var ids = model.Tokenizer.EncodeToIds("Hello World", model.Model.MaxTokens, addSpecialTokens: true, out _, out _);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        Assert.Equal(ids, model.Tokenizer.EncodeToIds("hello world", model.Model.MaxTokens, addSpecialTokens: true, out _, out _));
    }

    [Fact]
    public async Task GenerateAsync_ReturnsUnitVectorsOf384InInputOrder()
    {
        string[] texts = ["short", "a considerably longer sentence about the federal budget and taxes", "x"];
        var vectors = await model.Generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(3, vectors.Count);
        Assert.All(vectors, v =>
        {
            Assert.Equal(model.Model.Dimensions, v.Vector.Length);
            Assert.InRange(MathF.Sqrt(Cosine(v.Vector, v.Vector)), 0.999f, 1.001f);
        });
        // Batching sorts by length internally; each output must still belong to its own input.
        var alone = await model.Generator.GenerateAsync(["x"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.InRange(Cosine(vectors[2].Vector, alone[0].Vector), 0.9999f, 1.0001f);
    }

    [Fact]
    public async Task GenerateAsync_QueryIsNearestToTheRelevantPassage()
    {
        string[] passages =
        [
            "This administration today, here and now, declares unconditional war on poverty in America.",
            "We choose to send astronauts to the moon and explore outer space.",
            "Our farmers need fair prices for wheat and corn.",
        ];
        var p = await model.Generator.GenerateAsync(passages, cancellationToken: TestContext.Current.CancellationToken);
        var q = await model.Generator.GenerateAsync([model.Model.QueryPrefix + "helping poor families out of poverty"], cancellationToken: TestContext.Current.CancellationToken);
        var scores = p.Select(v => Cosine(q[0].Vector, v.Vector)).ToList();
        Assert.Equal(0, scores.IndexOf(scores.Max()));
    }
}
