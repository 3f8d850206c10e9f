using Jobs.Contracts;
using Jobs.Serve;
using Microsoft.Extensions.AI;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>The serve's query-embedding cache: a repeated query is embedded once, and the cache stays bounded.</summary>
public sealed class QueryEmbeddingCacheTests
{
    [Fact]
    public async Task EmbedAsync_RepeatedQuery_CallsTheModelOnceAndEvictsTheLeastRecentlyUsed()
    {
        var generator = new CountingGenerator();
        var cache = new QueryEmbeddingCache(generator, EmbeddingModels.Default, capacity: 2);
        var ct = TestContext.Current.CancellationToken;

        var first = await cache.EmbedAsync("war on poverty", ct);
        Assert.Same(first, await cache.EmbedAsync("war on poverty", ct));
        Assert.Equal(1, generator.Calls);
        Assert.Equal(EmbeddingModels.Default.QueryPrefix + "war on poverty", generator.LastInput); // queries get the model's prefix

        await cache.EmbedAsync("moon landing", ct);
        await cache.EmbedAsync("war on poverty", ct);   // refreshes it: "moon landing" is now the least recently used
        await cache.EmbedAsync("budget deficit", ct);   // evicts "moon landing"
        Assert.Equal(3, generator.Calls);
        await cache.EmbedAsync("war on poverty", ct);
        Assert.Equal(3, generator.Calls);
        await cache.EmbedAsync("moon landing", ct);
        Assert.Equal(4, generator.Calls);
        Assert.Equal((3L, 4L), (cache.Hits, cache.Misses));
    }

    private sealed class CountingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int Calls { get; private set; }
        public string? LastInput { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            Calls++;
            var inputs = values.ToList();
            LastInput = inputs[^1];
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(inputs.Select(_ => new Embedding<float>(new float[] { 1, 0 }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}
