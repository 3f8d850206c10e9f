using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// A Delta source in Azure Blob Storage (Azurite on loopback): the same reader, pruning and counts as on a local
/// folder, through the lake's storage interface, with the credentials from AZURE_STORAGE_CONNECTION_STRING.
/// </summary>
public sealed class IngestDeltaSourceOnAzureTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private readonly TempDirectory _dir = new("ingest-delta-az");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_TableInBlobStorage_OpensOnlyTheChunksDaysFiles()
    {
        var location = await azurite.CreateLakeLocationAsync("sources", Ct);
        var table = new DeltaTable<IngestDeltaSourceTests.EventRow>(LakeStorage.Open(location, azurite.Environment), IngestDeltaSourceTests.ByDay);
        await table.AppendAsync(Enumerable.Range(0, 30).SelectMany(d => Enumerable.Range(0, 2).Select(n => IngestDeltaSourceTests.Event(d, n))).ToAsyncEnumerable(), cancellationToken: Ct);
        var snapshot = await table.SnapshotAsync(cancellationToken: Ct);
        var lake = _dir.Combine("lake");

        var run = await StageRun.RunAsync(new IngestStage(), new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString },
            "--start", "2021-01-11", "--end", "2021-01-13", "--lake", lake, "--source", $"{location}/events",
            "--id-field", "id", "--time-field", "ts", "--text-field", "body");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var days = new[] { "2021-01-11", "2021-01-12" };
        Assert.Equal((2L, snapshot.Files.Where(f => days.Contains(f.PartitionValues["day"])).Sum(f => f.Size)), (run.Counts["files"], run.Counts["bytes"]));
        Assert.Equal((4L, 4L), (run.Counts["input"], run.Counts["accepted"]));
        var docs = await new DeltaTable<DocumentRow>(lake, LakeTables.Documents).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);
        Assert.Equal(["e-10-0", "e-10-1", "e-11-0", "e-11-1"], docs.Select(d => d.DocId).Order(StringComparer.Ordinal));
        Assert.All(docs, d => Assert.StartsWith("events/day=2021-01-1", d.Source, StringComparison.Ordinal));
        Assert.DoesNotContain(Azurite.AccountKey, run.Log, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
