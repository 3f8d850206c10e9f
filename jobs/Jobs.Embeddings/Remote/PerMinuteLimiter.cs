using System.Threading.RateLimiting;

namespace Jobs.Embeddings.Remote;

/// <summary>
/// A token bucket that grants exactly <c>perMinute</c> permits a minute, whatever the figure: <c>k</c> permits every
/// <c>k</c>/<c>perMinute</c> minutes, with <c>k</c> chosen so the period stays at or above 100 ms (a timer per
/// millisecond would cost more than it limits). It holds at most one second's worth (at least <c>k</c>), so no window
/// of a minute sees more than <c>perMinute</c> plus that burst. Callers queue (FIFO) rather than being refused.
/// </summary>
public static class PerMinuteLimiter
{
    private static readonly TimeSpan MinimumPeriod = TimeSpan.FromMilliseconds(100);

    public static TokenBucketRateLimiter Create(int perMinute)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        var options = Options(perMinute);
        return new TokenBucketRateLimiter(options);
    }

    /// <summary>The bucket's settings (public for tests: the rate they give is exactly <paramref name="perMinute"/>).</summary>
    public static TokenBucketRateLimiterOptions Options(int perMinute)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        var perPeriod = (int)Math.Ceiling(perMinute * MinimumPeriod.TotalMinutes);
        return new TokenBucketRateLimiterOptions
        {
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) * perPeriod / perMinute,
            TokenLimit = Math.Max(perPeriod, perMinute / 60),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
    }
}
