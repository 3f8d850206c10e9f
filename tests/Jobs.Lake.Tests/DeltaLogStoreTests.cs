using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

public sealed class DeltaLogStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("log");

    [Fact]
    public void TryCommit_SameVersionTwice_OnlyFirstWinsAndContentIsKept()
    {
        var log = new DeltaLogStore(_dir.Path);
        Assert.True(log.TryCommit(0, "{\"a\":1}\n"));
        Assert.False(log.TryCommit(0, "{\"b\":2}\n"));
        Assert.Equal("{\"a\":1}\n", log.ReadCommit(0));
        Assert.Empty(Directory.GetFiles(Path.Combine(log.LogDir, ".tmp")));
    }

    [Fact]
    public void TryCommit_RacingThreads_ExactlyOneWinnerPerVersion()
    {
        var log = new DeltaLogStore(_dir.Path);
        var wins = new int[50];
        Parallel.For(0, 8, writer =>
        {
            for (var v = 0; v < wins.Length; v++)
                if (log.TryCommit(v, $"{{\"writer\":{writer}}}\n")) Interlocked.Increment(ref wins[v]);
        });
        Assert.All(wins, w => Assert.Equal(1, w));
    }

    [Fact]
    public void ListCommitVersions_IgnoresStrayFiles()
    {
        var log = new DeltaLogStore(_dir.Path);
        log.TryCommit(0, "{}\n");
        File.WriteAllText(Path.Combine(log.LogDir, ".tmp", "junk.json"), "{");
        File.WriteAllText(Path.Combine(log.LogDir, "00000000000000000000.crc"), "x");
        Assert.Equal([0L], log.ListCommitVersions());
    }

    public void Dispose() => _dir.Dispose();
}
