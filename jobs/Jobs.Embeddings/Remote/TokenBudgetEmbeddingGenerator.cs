using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;

namespace Jobs.Embeddings.Remote;

/// <summary>
/// A client-side tokens-per-minute budget: each call waits for permits worth its inputs' estimated tokens
/// (characters / 4, the usual rule of thumb for English BPE), so that a backfill stays under the provider's quota
/// instead of provoking a storm of 429s.
/// </summary>
public sealed class TokenBudgetEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int tokensPerMinute)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private readonly TokenBucketRateLimiter _budget = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = Math.Max(1, tokensPerMinute / 6), // ten seconds' worth of burst
        TokensPerPeriod = Math.Max(1, tokensPerMinute / 60),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = int.MaxValue,
        AutoReplenishment = true,
    });

    public static int EstimateTokens(IEnumerable<string> inputs) => inputs.Sum(s => s.Length / 4 + 1);

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IReadOnlyCollection<string> ?? [.. values];
        var permits = Math.Min(EstimateTokens(inputs), Math.Max(1, tokensPerMinute / 6));
        using var lease = await _budget.AcquireAsync(permits, cancellationToken).ConfigureAwait(false);
        return await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _budget.Dispose();
        base.Dispose(disposing);
    }
}
