using System.Diagnostics;
using Jobs.Embed;
using Jobs.Embeddings.Remote;
using Jobs.Hosting;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Embeddings.Tests;

/// <summary>
/// The client-side limits and the server's waits, observed where they matter: at a real HTTP server. Only lower
/// bounds on the server-observed spacing are asserted (a slow machine can only make it larger), never a duration.
/// </summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly TempDirectory _dir = new("jobs-rate-limit");
    private string Lake => _dir.Combine("lake");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(30)]
    [InlineData(90)]
    [InlineData(600)]
    [InlineData(100_000)]
    public void Options_AnyPerMinuteFigure_GrantsExactlyThatRate(int perMinute)
    {
        var o = PerMinuteLimiter.Options(perMinute);
        Assert.Equal(perMinute, o.TokensPerPeriod * (TimeSpan.FromMinutes(1) / o.ReplenishmentPeriod), 3); // to the tick
        Assert.True(o.ReplenishmentPeriod >= TimeSpan.FromMilliseconds(100), $"period {o.ReplenishmentPeriod}");
        Assert.InRange(o.TokenLimit, o.TokensPerPeriod, Math.Max(o.TokensPerPeriod, perMinute / 60));
    }

    [Fact]
    public async Task Embed_RequestsPerMinute_ServerNeverSeesMoreThanTheRatePlusOneSecondsBurst()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false, count: 30);
        const int perMinute = 300; // 5 a second; the bucket holds one second's worth (5): ~5 s in all

        // One chunk per request, four in flight: without the limiter the 29 requests arrive within a fraction of a second.
        var run = await StageRun.RunAsync(new EmbedStage(), [.. Args(server), "--batch-size", "1", "--max-concurrency", "4", "--requests-per-minute", $"{perMinute}"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var seen = server.Seen;
        Assert.Equal(chunks.Select(c => c.Text).Distinct().Count(), seen.Count);
        var burst = PerMinuteLimiter.Options(perMinute).TokenLimit;
        var first = seen.Min(r => r.ArrivedTicks);
        // The k-th request (0-based) past the burst needs k - burst + 1 replenishments of one permit (every 200 ms), the
        // first of which may fall just after the first request: it cannot arrive before k - burst periods, measured at
        // the server. One second of slack: the first request's own start (connection, JIT) may delay it on a loaded
        // machine while the limiter already refills; the limit imposes ~5 s on the last one.
        var arrivals = seen.Select(r => Stopwatch.GetElapsedTime(first, r.ArrivedTicks)).Order().ToList();
        for (var k = burst; k < arrivals.Count; k++)
        {
            var earliest = TimeSpan.FromMinutes(1.0 / perMinute) * (k - burst) - TimeSpan.FromSeconds(1);
            Assert.True(arrivals[k] >= earliest, $"request {k} arrived after {arrivals[k].TotalMilliseconds:F0} ms, before {earliest.TotalMilliseconds:F0} ms");
        }
    }

    [Fact]
    public async Task Embed_TokensPerMinute_ServerSeesTheBudgetSpentNoFaster()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false, count: 24);
        const int perMinute = 6_000; // 100 estimated tokens a second; a ~90-character passage is ~23: ~5 s in all

        var run = await StageRun.RunAsync(new EmbedStage(), [.. Args(server), "--batch-size", "2", "--max-concurrency", "4", "--tokens-per-minute", $"{perMinute}"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var seen = server.Seen.OrderBy(r => r.ArrivedTicks).ToList();
        var first = seen[0].ArrivedTicks;
        var bucket = PerMinuteLimiter.Options(perMinute).TokenLimit;
        long spent = 0;
        foreach (var r in seen)
        {
            spent += TokenBudgetEmbeddingGenerator.EstimateTokens(r.Inputs);
            // Tokens beyond the first bucketful are granted at the rate, so they cannot have been spent sooner. The time
            // is counted from the first request's arrival, which its own start (connection, JIT) may delay on a loaded
            // machine while the limiter already refills: one second of slack, against ~4.5 s the limit imposes in all.
            var earliest = TimeSpan.FromMinutes(Math.Max(0, spent - bucket) / (double)perMinute) - TimeSpan.FromSeconds(1);
            var at = Stopwatch.GetElapsedTime(first, r.ArrivedTicks);
            Assert.True(at >= earliest, $"{spent} tokens spent after {at.TotalMilliseconds:F0} ms, before {earliest.TotalMilliseconds:F0} ms");
        }
        Assert.True(spent > 2 * bucket, $"only {spent} tokens: the test would not exercise the limit");
    }

    [Theory]
    [InlineData(Fault.UnavailableDate)]
    [InlineData(Fault.TooManyRequestsMs)]
    [InlineData(Fault.TooManyRequestsSeconds)]
    public async Task Embed_ServerAsksForAWait_RetryArrivesNoEarlier(Fault fault)
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false, count: 4);
        server.Faults.Enqueue(fault);

        // Backoff of 1 ms: only the server's header can make the client wait.
        var run = await StageRun.RunAsync(new EmbedStage(), [.. Args(server), "--batch-size", "4", "--max-concurrency", "1"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var seen = server.Seen;
        var asked = Assert.Single(seen, r => r.Fault == fault);
        var retry = Assert.Single(seen, r => r.Number == asked.Number + 1);
        Assert.Equal(asked.Inputs, retry.Inputs);
        asked.AssertHonouredBy(retry);
        Assert.NotNull(asked.AskedWait ?? (object?)asked.AskedUntil);
    }

    private string[] Args(FaultyEmbeddingServer server) =>
    [
        "--start", "2024-01-01", "--end", "2024-01-03", "--lake", Lake, "--provider", "openai",
        "--endpoint", new Uri(server.BaseAddress, "v1").ToString(),
        "--retry-base-delay-ms", "1", "--retry-max-delay-seconds", "0.05", "--attempt-timeout-seconds", "5", "--total-timeout-seconds", "60",
    ];

    public void Dispose() => _dir.Dispose();
}
