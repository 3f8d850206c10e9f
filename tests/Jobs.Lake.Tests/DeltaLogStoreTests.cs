using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

public sealed class DeltaLogStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("log");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private DeltaLogStore Log() => new(new LocalLakeStorage(_dir.Path), "");
    private string LogDir => _dir.Combine("_delta_log");

    [Fact]
    public async Task TryCommit_SameVersionTwice_OnlyFirstWinsAndContentIsKept()
    {
        var log = Log();
        Assert.True(await log.TryCommitAsync(0, "{\"a\":1}\n", Ct));
        Assert.False(await log.TryCommitAsync(0, "{\"b\":2}\n", Ct));
        Assert.Equal("{\"a\":1}\n", await log.ReadCommitAsync(0, Ct));
        Assert.Empty(Directory.GetFiles(Path.Combine(LogDir, ".tmp")));
    }

    [Fact]
    public void TryCommit_RacingThreads_ExactlyOneWinnerPerVersion()
    {
        var log = Log();
        var wins = new int[50];
        Parallel.For(0, 8, writer =>
        {
            for (var v = 0; v < wins.Length; v++)
                if (log.TryCommitAsync(v, $"{{\"writer\":{writer}}}\n", Ct).GetAwaiter().GetResult()) Interlocked.Increment(ref wins[v]);
        });
        Assert.All(wins, w => Assert.Equal(1, w));
    }

    [Fact]
    public async Task ListCommitVersions_IgnoresStrayFiles()
    {
        var log = Log();
        await log.TryCommitAsync(0, "{}\n", Ct);
        File.WriteAllText(Path.Combine(LogDir, ".tmp", "junk.json"), "{");
        File.WriteAllText(Path.Combine(LogDir, "00000000000000000000.crc"), "x");
        Assert.Equal([0L], await log.ListCommitVersionsAsync(Ct));
    }

    public void Dispose() => _dir.Dispose();
}
