using System.Text.Json;
using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

public sealed class DeltaWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new("writer");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DeltaTable<TestRow> Table(TimeProvider? time = null) => new(_dir.Path, TestRow.Spec, time);

    private static async Task<List<TestRow>> ReadAll(DeltaTable<TestRow> t, long? version = null) => await t.ReadAsync(PartitionPredicate.All, version, Ct).ToListAsync(Ct);

    private IEnumerable<JsonElement> Actions(long version, string kind) =>
        File.ReadAllLines(_dir.Combine("rows", "_delta_log", $"{version:D20}.json")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(a => a.TryGetProperty(kind, out _)).Select(a => a.GetProperty(kind));

    [Fact]
    public async Task Stats_AreComputedFromTheValuesWritten()
    {
        var rows = TestRow.Make("a", 5, 3).ToList();
        rows[1].Text = null;
        rows[2].Text = new string('x', 40); // longer than 32: no string min/max at all
        await Table().AppendAsync(rows.ToAsyncEnumerable(), cancellationToken: Ct);

        var stats = JsonDocument.Parse(Actions(0, "add").Single().GetProperty("stats").GetString()!).RootElement;
        Assert.Equal(3, stats.GetProperty("numRecords").GetInt32());
        Assert.Equal(5, stats.GetProperty("minValues").GetProperty("id").GetInt64());
        Assert.Equal(7, stats.GetProperty("maxValues").GetProperty("id").GetInt64());
        Assert.Equal("2024-01-01T00:05:00.000Z", stats.GetProperty("minValues").GetProperty("ts").GetString());
        Assert.Equal("2024-01-01T00:07:00.000Z", stats.GetProperty("maxValues").GetProperty("ts").GetString());
        Assert.False(stats.GetProperty("minValues").TryGetProperty("text", out _));
        Assert.False(stats.GetProperty("minValues").TryGetProperty("vec", out _)); // arrays: null counts only
        Assert.Equal(1, stats.GetProperty("nullCount").GetProperty("text").GetInt32());
        Assert.Equal(0, stats.GetProperty("nullCount").GetProperty("vec").GetInt32());
        Assert.False(stats.GetProperty("nullCount").TryGetProperty("part", out _)); // partition columns excluded
    }

    [Fact]
    public async Task Stats_StringsAreOrderedByUtf8BytesNotUtf16Units()
    {
        var rows = TestRow.Make("a", 0, 2).ToList();
        rows[0].Text = "\uFFFF";       // UTF-16 0xFFFF sorts after the surrogate 0xD83D, UTF-8 EF BF BF before F0 9F
        rows[1].Text = "\U0001F600";   // 😀
        await Table().AppendAsync(rows.ToAsyncEnumerable(), cancellationToken: Ct);
        var stats = JsonDocument.Parse(Actions(0, "add").Single().GetProperty("stats").GetString()!).RootElement;
        Assert.Equal("\uFFFF", stats.GetProperty("minValues").GetProperty("text").GetString());
        Assert.Equal("\U0001F600", stats.GetProperty("maxValues").GetProperty("text").GetString());
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_AreRebasedAndLoseNoRow()
    {
        const int writers = 8;
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
            Table().AppendAsync(TestRow.Make("same", w * 100, 10).ToAsyncEnumerable(), cancellationToken: Ct))));

        Assert.Equal(Enumerable.Range(0, writers).Select(v => (long)v), results.Select(r => r.Version).Order());
        Assert.Equal(writers * 10, (await ReadAll(Table())).Count);
        Assert.All(Enumerable.Range(0, writers), v => Assert.True(
            File.ReadAllLines(_dir.Combine("rows", "_delta_log", $"{v:D20}.json")).Select(l => JsonDocument.Parse(l).RootElement)
                .Single(a => a.TryGetProperty("commitInfo", out _)).GetProperty("commitInfo").GetProperty("isBlindAppend").GetBoolean()));
    }

    [Fact]
    public async Task Commits_EveryTenth_WritesASparkCheckpointAndTheHint()
    {
        for (var i = 0; i < 25; i++)
            await Table().OverwriteAsync(TestRow.Make($"p{i % 3}", i * 10, 2).ToAsyncEnumerable(), TestRow.PartIs($"p{i % 3}"), Ct);
        var log = _dir.Combine("rows", "_delta_log");

        Assert.True(File.Exists(Path.Combine(log, "00000000000000000010.checkpoint.parquet")));
        Assert.True(File.Exists(Path.Combine(log, "00000000000000000020.checkpoint.parquet")));
        var hint = JsonDocument.Parse(File.ReadAllText(Path.Combine(log, "_last_checkpoint"))).RootElement;
        Assert.Equal(["version", "size", "sizeInBytes", "numOfAddFiles"], hint.EnumerateObject().Select(p => p.Name));
        Assert.Equal(20, hint.GetProperty("version").GetInt64());
        var withCheckpoint = await Table().SnapshotAsync(cancellationToken: Ct);
        Assert.Equal(20, withCheckpoint.CheckpointVersion);
        Assert.Equal(3, hint.GetProperty("numOfAddFiles").GetInt32());
        // 1 protocol + 1 metaData + 3 live files + the removes of commits 1..20 (tombstones within retention)
        Assert.Equal(2 + 3 + 20 - 2, hint.GetProperty("size").GetInt32());

        var fromCheckpoint = (await ReadAll(Table())).Select(r => r.Id).Order().ToList();
        foreach (var cp in Directory.GetFiles(log, "*.checkpoint.parquet")) File.Delete(cp);
        var replayed = await Table().SnapshotAsync(cancellationToken: Ct);
        Assert.Null(replayed.CheckpointVersion);
        Assert.Equal(fromCheckpoint, (await ReadAll(Table())).Select(r => r.Id).Order());
        Assert.Equal(withCheckpoint.Files.Select(f => f.Path).Order(), replayed.Files.Select(f => f.Path).Order());
        Assert.Equal(withCheckpoint.Tombstones.Select(f => f.Path).Order(), replayed.Tombstones.Select(f => f.Path).Order());
    }

    [Fact]
    public async Task TimeTravel_OwnTable_ReadsEveryVersion()
    {
        await Table().AppendAsync(TestRow.Make("a", 0, 2).ToAsyncEnumerable(), cancellationToken: Ct);
        await Table().AppendAsync(TestRow.Make("b", 2, 3).ToAsyncEnumerable(), cancellationToken: Ct);
        await Table().OverwriteAsync(TestRow.Make("a", 9, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), Ct);
        var counts = new List<int>();
        for (long v = 0; v <= 2; v++) counts.Add((await ReadAll(Table(), v)).Count);
        Assert.Equal([2, 5, 4], counts);
    }

    [Fact]
    public async Task Txn_SameBatchTwice_IsCommittedOnce()
    {
        var first = await Table().AppendAsync(TestRow.Make("a", 0, 3).ToAsyncEnumerable(), new TxnAction("ingest-app", 7, null), Ct);
        var again = await Table().AppendAsync(TestRow.Make("a", 0, 3).ToAsyncEnumerable(), new TxnAction("ingest-app", 7, null), Ct);

        Assert.False(first.AlreadyCommitted);
        Assert.True(again.AlreadyCommitted);
        Assert.Equal(3, (await ReadAll(Table())).Count);
        Assert.Equal(7, await Table().LatestTxnVersionAsync("ingest-app", Ct));
        Assert.Null(await Table().LatestTxnVersionAsync("other-app", Ct));
        Assert.Equal("ingest-app", Actions(0, "txn").Single().GetProperty("appId").GetString());
    }

    [Fact]
    public async Task Vacuum_DeletesOnlyExpiredUnreferencedFiles()
    {
        await Table().AppendAsync(TestRow.Make("a", 0, 2).ToAsyncEnumerable(), cancellationToken: Ct);
        await Table().OverwriteAsync(TestRow.Make("a", 5, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), Ct);
        var orphan = _dir.Combine("rows", "part=a", "part-orphan.c000.snappy.parquet");
        File.WriteAllText(orphan, "left behind by a crashed writer");
        var files = Directory.GetFiles(_dir.Combine("rows", "part=a"));
        Assert.Equal(3, files.Length);

        Assert.Empty(await Table().VacuumAsync(cancellationToken: Ct)); // everything is younger than 7 days
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Table().VacuumAsync(TimeSpan.FromHours(1), cancellationToken: Ct));
        var later = Table(new ShiftedTime(TimeSpan.FromDays(8)));
        Assert.Equal(2, (await later.VacuumAsync(dryRun: true, cancellationToken: Ct)).Count);
        Assert.Equal(3, Directory.GetFiles(_dir.Combine("rows", "part=a")).Length);
        var deleted = await later.VacuumAsync(cancellationToken: Ct);

        Assert.Equal(2, deleted.Count);
        Assert.False(File.Exists(orphan));
        Assert.Equal([5L], (await ReadAll(Table())).Select(r => r.Id));
        Assert.True(Directory.Exists(_dir.Combine("rows", "_delta_log")));
    }

    [Fact]
    public async Task OwnTable_ReadThroughTheUntypedReader_GivesBackEveryValueAndTypedPartitions()
    {
        var rows = TestRow.Make("x y/z", 1, 3).Concat(TestRow.Make(null, 10, 1)).ToList();
        await Table().AppendAsync(rows.ToAsyncEnumerable(), cancellationToken: Ct);
        var root = _dir.Combine("rows");
        var snapshot = await DeltaReader.SnapshotAsync(root, cancellationToken: Ct);
        var back = await DeltaReader.ReadRowsAsync(root, snapshot, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(rows.OrderBy(r => r.Id).Select(r => $"{r.Id} {r.Text} {r.Ts:O} {string.Join(',', r.Vec)} {r.Part ?? "null"}"),
            back.OrderBy(r => (long)r["id"]!).Select(r =>
                $"{r["id"]} {r["text"]} {(DateTime)r["ts"]!:O} {string.Join(',', ((IEnumerable<float>)r["vec"]!))} {(string?)r["part"] ?? "null"}"));
    }

    public void Dispose() => _dir.Dispose();
}
