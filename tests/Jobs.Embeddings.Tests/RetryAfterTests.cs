using System.Net;
using Jobs.Embeddings.Remote;
using Xunit;

namespace Jobs.Embeddings.Tests;

public sealed class RetryAfterTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly FixedTime Now = new(new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Of_Seconds_IsTheDelta()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "7");
        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Of(response, Now));
    }

    [Fact]
    public void Of_HttpDate_IsTheTimeUntilThen()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "Wed, 02 Dec 2026 04:00:30 GMT");
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Of(response, Now));
    }

    [Fact]
    public void Of_DateInThePast_IsZero()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "Wed, 02 Dec 2026 03:59:00 GMT");
        Assert.Equal(TimeSpan.Zero, RetryAfter.Of(response, Now));
    }

    [Fact]
    public void Of_RetryAfterMs_WinsOverRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "2");
        response.Headers.TryAddWithoutValidation("retry-after-ms", "250");
        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryAfter.Of(response, Now));
    }

    [Fact]
    public void Of_NoOrUnreadableHeader_IsNullSoBackoffApplies()
    {
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        Assert.Null(RetryAfter.Of(none, Now));
        using var garbage = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        garbage.Headers.TryAddWithoutValidation("Retry-After", "soon");
        garbage.Headers.TryAddWithoutValidation("retry-after-ms", "-5");
        Assert.Null(RetryAfter.Of(garbage, Now));
    }
}
