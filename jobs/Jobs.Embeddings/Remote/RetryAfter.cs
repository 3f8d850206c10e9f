using System.Globalization;
using System.Net.Http.Headers;

namespace Jobs.Embeddings.Remote;

/// <summary>
/// How long a server asked us to wait: <c>retry-after-ms</c> (OpenAI, Azure OpenAI), else <c>Retry-After</c> as
/// seconds or as an HTTP date (RFC 9110 §10.2.3). Null when the response says nothing usable.
/// </summary>
public static class RetryAfter
{
    public static TimeSpan? Of(HttpResponseMessage response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            return TimeSpan.FromMilliseconds(milliseconds);
        return Of(response.Headers.RetryAfter, time);
    }

    public static TimeSpan? Of(RetryConditionHeaderValue? header, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
