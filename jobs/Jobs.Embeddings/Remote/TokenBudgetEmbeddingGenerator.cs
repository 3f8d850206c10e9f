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
    private readonly TokenBucketRateLimiter _budget = PerMinuteLimiter.Create(tokensPerMinute);

    public static int EstimateTokens(IEnumerable<string> inputs) => inputs.Sum(s => s.Length / 4 + 1);

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IReadOnlyCollection<string> ?? [.. values];
        // A call larger than the bucket takes its tokens a bucketful at a time, so every estimated token is paid for.
        var limit = PerMinuteLimiter.Options(tokensPerMinute).TokenLimit;
        for (var owed = EstimateTokens(inputs); owed > 0; owed -= limit)
        {
            using var lease = await _budget.AcquireAsync(Math.Min(owed, limit), cancellationToken).ConfigureAwait(false);
            if (!lease.IsAcquired) throw new InvalidOperationException("the tokens-per-minute limiter refused a request (its queue is unbounded, so this is a bug)");
        }
        return await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _budget.Dispose();
        base.Dispose(disposing);
    }
}
