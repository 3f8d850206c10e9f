using System.Text;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>The Delta behaviours that depend on storage, on the local file system and on Azure Blob Storage (Azurite).</summary>
public sealed class DeltaOnStorageTests(Jobs.Testing.Azurite azurite) : IDisposable
{
    private readonly Stores _stores = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DeltaTable<TestRow> Table(ILakeStorage lake, TimeProvider? time = null) => new(lake, TestRow.Spec, time) { MaxRowsPerFile = 40 };

    private static async Task<List<TestRow>> ReadAll(ILakeStorage lake, long? version = null) =>
        await Table(lake).ReadAsync(PartitionPredicate.All, version, Ct).ToListAsync(Ct);

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task Write_ReadBack_OverwritePartitions(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        Assert.False(await Table(lake).ExistsAsync(Ct));
        var rows = TestRow.Make("a", 0, 100).Concat(TestRow.Make("b/c d%", 100, 10)).Concat(TestRow.Make(null, 200, 3)).ToList();
        var first = await Table(lake).OverwriteAsync(rows.ToAsyncEnumerable(), PartitionPredicate.All, Ct);
        Assert.Equal(0, first.Version);
        Assert.Equal(3 + 1 + 1, first.FilesAdded);
        Assert.True(await Table(lake).ExistsAsync(Ct));
        var back = (await ReadAll(lake)).OrderBy(r => r.Id).ToList();
        Assert.Equal(rows.Select(r => (r.Id, r.Text, r.Ts, string.Join(',', r.Vec), r.Part)),
            back.Select(r => (r.Id, r.Text, r.Ts, string.Join(',', r.Vec), r.Part)));

        var second = await Table(lake).OverwriteAsync(TestRow.Make("a", 500, 2).ToAsyncEnumerable(), TestRow.PartIs("a"), Ct);
        Assert.Equal(1, second.Version);
        Assert.Equal(3, second.FilesRemoved);
        Assert.Equal(Enumerable.Range(100, 10).Concat(Enumerable.Range(200, 3)).Concat([500, 501]).Select(i => (long)i),
            (await ReadAll(lake)).Select(r => r.Id).Order());
        Assert.Equal(113, (await ReadAll(lake, 0)).Count); // time travel

        // The untyped reader over the same storage.
        var snapshot = await DeltaReader.SnapshotAsync(lake, "rows", cancellationToken: Ct);
        Assert.Equal(15, await DeltaReader.ReadRowsAsync(lake, "rows", snapshot, cancellationToken: Ct).CountAsync(Ct));
        Assert.Equal(lake.Describe("rows"), Table(lake).Root);
    }

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task ConcurrentAppenders_LoseNothing_AndVersionsAreContiguous(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        const int writers = 4, commits = 3, rows = 5;
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var versions = new List<long>();
            for (var c = 0; c < commits; c++)
                versions.Add((await Table(lake).AppendAsync(TestRow.Make($"w{w}", w * 1000 + c * 100, rows).ToAsyncEnumerable(), cancellationToken: Ct)).Version);
            return versions;
        }, Ct)));

        Assert.Equal(Enumerable.Range(0, writers * commits).Select(v => (long)v), results.SelectMany(v => v).Order());
        var all = await ReadAll(lake);
        Assert.Equal(writers * commits * rows, all.Count);
        Assert.Equal(writers * commits * rows, all.Select(r => r.Id).Distinct().Count());
        var log = new DeltaLogStore(lake, "rows");
        Assert.Equal(Enumerable.Range(0, writers * commits).Select(v => (long)v), await log.ListCommitVersionsAsync(Ct));
    }

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task Commit_VersionTakenByAnotherWriter_IsRefusedAndTheCommitRebased(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        await Table(lake).AppendAsync(TestRow.Make("a", 0, 2).ToAsyncEnumerable(), cancellationToken: Ct);
        var log = new DeltaLogStore(lake, "rows");
        var v0 = await log.ReadCommitAsync(0, Ct);
        Assert.False(await log.TryCommitAsync(0, "{\"commitInfo\":{}}\n", Ct));
        Assert.Equal(v0, await log.ReadCommitAsync(0, Ct));

        // Another writer takes version 1 behind the table's back (an empty commit); the next append must become version 2.
        Assert.True(await log.TryCommitAsync(1, "{\"commitInfo\":{\"operation\":\"OTHER\"}}\n", Ct));
        var result = await Table(lake).AppendAsync(TestRow.Make("b", 10, 3).ToAsyncEnumerable(), cancellationToken: Ct);
        Assert.Equal(2, result.Version);
        Assert.Equal(5, (await ReadAll(lake)).Count);
    }

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task Checkpoint_AfterTenCommits_IsWrittenAndSnapshotsLoadFromIt(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        for (var i = 0; i < 12; i++)
            await Table(lake).OverwriteAsync(TestRow.Make($"p{i % 3}", i * 10, 2).ToAsyncEnumerable(), TestRow.PartIs($"p{i % 3}"), Ct);

        var logFiles = await lake.ListAsync("rows/_delta_log", false, Ct).Select(f => LakePaths.FileName(f.Path)).ToListAsync(Ct);
        Assert.Contains("00000000000000000010.checkpoint.parquet", logFiles);
        Assert.Contains("_last_checkpoint", logFiles);
        Assert.Contains("\"version\":10", await lake.ReadAllTextAsync("rows/_delta_log/_last_checkpoint", Ct));
        var snapshot = await Table(lake).SnapshotAsync(cancellationToken: Ct);
        Assert.Equal(10, snapshot.CheckpointVersion);
        Assert.Equal(11, snapshot.Version);
        Assert.Equal([90L, 91, 100, 101, 110, 111], (await ReadAll(lake)).Select(r => r.Id).Order());

        // Without the JSON commits up to 10, the table still loads: from the checkpoint alone.
        for (var v = 0; v <= 10; v++) await lake.DeleteAsync($"rows/_delta_log/{v:D20}.json", Ct);
        Assert.Equal(10, (await Table(lake).SnapshotAsync(cancellationToken: Ct)).CheckpointVersion);
        Assert.Equal(6, (await ReadAll(lake)).Count);
    }

    [Theory, InlineData(Stores.Local), InlineData(Stores.Azure)]
    public async Task Vacuum_DeletesOnlyExpiredUnreferencedFiles(string kind)
    {
        var lake = await _stores.NewAsync(kind, Ct);
        await Table(lake).AppendAsync(TestRow.Make("a", 0, 2).ToAsyncEnumerable(), cancellationToken: Ct);
        await Table(lake).OverwriteAsync(TestRow.Make("a", 5, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), Ct);
        await lake.WriteAsync("rows/part=a/part-orphan.c000.snappy.parquet", (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes("left behind"), ct).AsTask(), Ct);

        Assert.Empty(await Table(lake).VacuumAsync(cancellationToken: Ct)); // everything is younger than 7 days
        var later = new ShiftedTime(TimeSpan.FromDays(8));
        Assert.Equal(2, (await DeltaMaintenance.VacuumAsync(lake, "rows", TimeSpan.FromDays(7), dryRun: true, Ct, later)).Count);
        var deleted = await Table(lake, later).VacuumAsync(cancellationToken: Ct);

        Assert.Equal(["part=a/part-orphan.c000.snappy.parquet"], deleted.Where(d => d.Contains("orphan", StringComparison.Ordinal)));
        Assert.Equal(2, deleted.Count);
        Assert.Equal([5L], (await ReadAll(lake)).Select(r => r.Id));
        Assert.Single(await lake.ListAsync("rows/part=a", false, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task DuckDbEngine_OnBlobStorage_IsRefusedClearly()
    {
        var lake = await _stores.NewAsync(Stores.Azure, Ct);
        await Table(lake).AppendAsync(TestRow.Make("a", 0, 1).ToAsyncEnumerable(), cancellationToken: Ct);
        var snapshot = await DeltaReader.SnapshotAsync(lake, "rows", cancellationToken: Ct);
        var e = await Assert.ThrowsAsync<DeltaUnsupportedException>(async () =>
            await DeltaReader.ReadRowsAsync(lake, "rows", snapshot, engine: new Jobs.Lake.DuckDb.DuckDbParquetRowReader(), cancellationToken: Ct).ToListAsync(Ct));
        Assert.Contains("local files only", e.Message);
        Assert.Contains("az://", e.Message);
    }

    public void Dispose() => _stores.Dispose();
}
