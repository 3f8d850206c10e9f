using System.Text.Json;
using Jobs.DeltaTool;
using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>Separate `jobs-delta` processes on an az:// lake (Azurite), as pods sharing a storage account would be.</summary>
public sealed class BlobProcessTests(Azurite azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoProcessesAppending_ToBlobStorage_LoseNothing_AndShowReadsTheTable()
    {
        var lake = await azurite.CreateLakeLocationAsync("lake", Ct);
        var environment = new Dictionary<string, string> { [LakeStorage.ConnectionStringVariable] = azurite.ConnectionString };
        const int writers = 2, commits = 6, rows = 4;
        var runs = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => WriterProcess.RunAsync(environment, Ct,
            "append-demo", lake, "--writer", $"{w}", "--commits", $"{commits}", "--rows", $"{rows}")));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Error));

        var all = await new DeltaTable<DemoRow>(LakeStorage.Open(lake, azurite.Environment), DemoRow.Spec).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);
        Assert.Equal(writers * commits * rows, all.Select(r => (r.Writer, r.Commit, r.Id)).Distinct().Count());

        var show = await WriterProcess.RunAsync(environment, Ct, "show", $"{lake}/demo");
        Assert.True(show.ExitCode == 0, show.Error);
        var summary = JsonDocument.Parse(show.Output).RootElement;
        Assert.Equal(writers * commits - 1, summary.GetProperty("version").GetInt64());
        Assert.Equal(writers * commits * rows, summary.GetProperty("numRecords").GetInt64());
        Assert.Equal(10, summary.GetProperty("checkpointVersion").GetInt64());

        var refused = await WriterProcess.RunAsync(new Dictionary<string, string> { [LakeStorage.ConnectionStringVariable] = "" }, Ct, "show", $"{lake}/demo");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("AZURE_STORAGE_CONNECTION_STRING", refused.Error);
    }
}
