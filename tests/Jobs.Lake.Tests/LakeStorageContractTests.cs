using System.Text;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>What Delta needs from any storage, checked on the local file system and on Azure Blob Storage (Azurite).</summary>
public sealed class LakeStorageContractTests(Jobs.Testing.Azurite azurite) : IDisposable
{
    private readonly Stores _stores = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> Text(ILakeStorage s, string path) => await s.ReadAllTextAsync(path, Ct);

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task PutIfAbsent_SecondWriterOfTheSameKey_IsRefusedAndTheFirstContentKept(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        Assert.True(await lake.PutIfAbsentAsync("t/_delta_log/00000000000000000000.json", "{\"a\":1}\n"u8.ToArray(), Ct));
        Assert.False(await lake.PutIfAbsentAsync("t/_delta_log/00000000000000000000.json", "{\"b\":2}\n"u8.ToArray(), Ct));
        Assert.Equal("{\"a\":1}\n", await Text(lake, "t/_delta_log/00000000000000000000.json"));
        // No staging file is left where a listing of the log would see it.
        Assert.Equal(["t/_delta_log/00000000000000000000.json"], await lake.ListAsync("t/_delta_log", false, Ct).Select(f => f.Path).ToListAsync(Ct));
    }

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task PutIfAbsent_RacingWriters_ExactlyOneWinnerPerKey(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        var wins = new int[10];
        await Task.WhenAll(Enumerable.Range(0, 6).Select(writer => Task.Run(async () =>
        {
            for (var v = 0; v < wins.Length; v++)
                if (await lake.PutIfAbsentAsync($"log/{v:D20}.json", Encoding.UTF8.GetBytes($"{{\"writer\":{writer}}}\n"), Ct))
                    Interlocked.Increment(ref wins[v]);
        }, Ct)));
        Assert.All(wins, w => Assert.Equal(1, w));
    }

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task Write_ListRead_Delete_BehaveAlike(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        Assert.Equal(5, await lake.WriteAsync("t/a=1/f.bin", (s, ct) => s.WriteAsync("12345"u8.ToArray(), ct).AsTask(), Ct));
        Assert.Equal(3, await lake.WriteAsync("t/a=1/f.bin", (s, ct) => s.WriteAsync("xyz"u8.ToArray(), ct).AsTask(), Ct)); // replaces
        await lake.WriteAsync("t/top.txt", (s, ct) => s.WriteAsync("top"u8.ToArray(), ct).AsTask(), Ct);
        await lake.WriteAsync("other/x.txt", (s, ct) => s.WriteAsync("x"u8.ToArray(), ct).AsTask(), Ct);

        var all = await lake.ListAsync("t", true, Ct).OrderBy(f => f.Path).ToListAsync(Ct);
        Assert.Equal(["t/a=1/f.bin", "t/top.txt"], all.Select(f => f.Path));
        Assert.Equal([3L, 3L], all.Select(f => f.Size));
        Assert.All(all, f => Assert.InRange(f.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(["t/top.txt"], await lake.ListAsync("t", false, Ct).Select(f => f.Path).ToListAsync(Ct));
        Assert.Empty(await lake.ListAsync("missing", true, Ct).ToListAsync(Ct));

        await using (var stream = await lake.OpenReadAsync("t/a=1/f.bin", Ct))
        {
            Assert.True(stream.CanSeek);
            Assert.Equal(3, stream.Length);
            stream.Position = 2;
            Assert.Equal('z', stream.ReadByte());
        }
        await lake.DeleteAsync("t/a=1/f.bin", Ct);
        await lake.DeleteAsync("t/a=1/f.bin", Ct); // already gone: no error
        await Assert.ThrowsAsync<FileNotFoundException>(() => lake.OpenReadAsync("t/a=1/f.bin", Ct));
        await Assert.ThrowsAsync<FileNotFoundException>(() => lake.OpenReadAsync("no-such-folder/f.bin", Ct)); // a missing folder too
        Assert.Equal(["t/top.txt"], await lake.ListAsync("t", true, Ct).Select(f => f.Path).ToListAsync(Ct));
        Assert.StartsWith(kind == Stores.Azure ? "az://t-" : "/", lake.Describe("t/top.txt"));
        Assert.EndsWith("/t/top.txt", lake.Describe("t/top.txt"));
        Assert.Equal(kind == Stores.Local, lake.TryGetLocalPath("t/top.txt", out _));
    }

    public void Dispose() => _stores.Dispose();
}
