using System.Text.Json;
using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

public sealed class DeltaTableTests : IDisposable
{
    private readonly TempDirectory _dir = new("lake");

    private DeltaTable<TestRow> Table() => new(_dir.Path, TestRow.Spec) { MaxRowsPerFile = 40 };

    private static async Task<List<TestRow>> ReadAll(DeltaTable<TestRow> t) => await t.ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync();

    [Fact]
    public async Task OverwriteAsync_NewTable_RoundTripsEveryValue()
    {
        var rows = TestRow.Make("a", 0, 100).Concat(TestRow.Make("b/c d%", 100, 10)).Concat(TestRow.Make(null, 200, 3)).ToList();
        var result = await Table().OverwriteAsync(rows.ToAsyncEnumerable(), PartitionPredicate.All, TestContext.Current.CancellationToken);

        Assert.Equal(0, result.Version);
        Assert.Equal(113, result.RowsWritten);
        Assert.Equal(3 + 1 + 1, result.FilesAdded); // 100 rows at 40 per file = 3 files, then one each
        var back = (await ReadAll(Table())).OrderBy(r => r.Id).ToList();
        Assert.Equal(rows.Select(r => (r.Id, r.Text, r.Ts, string.Join(',', r.Vec), r.Part)),
            back.Select(r => (r.Id, r.Text, r.Ts, string.Join(',', r.Vec), r.Part)));
    }

    [Fact]
    public async Task OverwriteAsync_SamePartitionTwice_ReplacesInsteadOfDuplicating()
    {
        var ct = TestContext.Current.CancellationToken;
        await Table().OverwriteAsync(TestRow.Make("a", 0, 5).Concat(TestRow.Make("b", 5, 5)).ToAsyncEnumerable(), PartitionPredicate.All, ct);
        var second = await Table().OverwriteAsync(TestRow.Make("a", 50, 3).ToAsyncEnumerable(), TestRow.PartIs("a"), ct);

        Assert.Equal(1, second.Version);
        Assert.Equal(1, second.FilesRemoved);
        var back = await ReadAll(Table());
        Assert.Equal([5, 6, 7, 8, 9, 50, 51, 52], back.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task OverwriteAsync_RowOutsidePredicate_IsRefusedBeforeCommitting()
    {
        var ct = TestContext.Current.CancellationToken;
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Table().OverwriteAsync(TestRow.Make("z", 0, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), ct));
        Assert.Contains("outside the overwrite predicate", e.Message);
        Assert.False(await Table().ExistsAsync(ct));
    }

    [Fact]
    public async Task Commit_WritesProtocolMetadataAndEncodedPaths_LikeSpark()
    {
        await Table().OverwriteAsync(TestRow.Make("b/c d", 0, 1).ToAsyncEnumerable(), PartitionPredicate.All, TestContext.Current.CancellationToken);
        var lines = File.ReadAllLines(_dir.Combine("rows", "_delta_log", "00000000000000000000.json")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal("commitInfo", lines[0].EnumerateObject().Single().Name);
        var protocol = lines.Single(l => l.TryGetProperty("protocol", out _)).GetProperty("protocol");
        Assert.Equal(1, protocol.GetProperty("minReaderVersion").GetInt32());
        Assert.Equal(2, protocol.GetProperty("minWriterVersion").GetInt32());
        var schema = JsonDocument.Parse(lines.Single(l => l.TryGetProperty("metaData", out _)).GetProperty("metaData").GetProperty("schemaString").GetString()!).RootElement;
        var vec = schema.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "vec").GetProperty("type");
        Assert.Equal("array", vec.GetProperty("type").GetString());
        Assert.Equal("float", vec.GetProperty("elementType").GetString());
        var add = lines.Single(l => l.TryGetProperty("add", out _)).GetProperty("add");
        // Hive-escaped directory (b%2Fc d), then URI-encoded in the log: % → %25, space → %20.
        Assert.StartsWith("part=b%252Fc%20d/part-", add.GetProperty("path").GetString());
        Assert.True(Directory.Exists(_dir.Combine("rows", "part=b%2Fc d")));
        Assert.Equal(new FileInfo(Directory.GetFiles(_dir.Combine("rows", "part=b%2Fc d")).Single()).Length, add.GetProperty("size").GetInt64());
        Assert.Equal(1, JsonDocument.Parse(add.GetProperty("stats").GetString()!).RootElement.GetProperty("numRecords").GetInt32());
    }

    [Fact]
    public async Task OverwriteAsync_ConcurrentWritersOfDifferentPartitions_LoseNoCommit()
    {
        const int writers = 8;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
            Table().OverwriteAsync(TestRow.Make($"p{w}", w * 100, 10).ToAsyncEnumerable(), TestRow.PartIs($"p{w}"), TestContext.Current.CancellationToken)));
        var results = await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(0, writers).Select(v => (long)v), results.Select(r => r.Version).Order());
        Assert.Equal(writers * 10, (await ReadAll(Table())).Count);
    }

    [Fact]
    public async Task OpenTable_WithDifferentSchema_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await Table().OverwriteAsync(TestRow.Make("a", 0, 1).ToAsyncEnumerable(), PartitionPredicate.All, ct);
        var other = new TableSpec<OtherRow>("rows", [new PartitionColumn("part", "string")], _ => new Dictionary<string, string?> { ["part"] = "a" }, (_, _) => { });
        var e = await Assert.ThrowsAsync<DeltaUnsupportedException>(async () => await new DeltaTable<OtherRow>(_dir.Path, other).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct));
        Assert.Contains("schema", e.Message);
    }

    public sealed class OtherRow
    {
        public long Different { get; set; }
    }

    public void Dispose() => _dir.Dispose();
}
