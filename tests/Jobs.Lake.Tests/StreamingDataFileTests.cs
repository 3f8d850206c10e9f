using System.Runtime.CompilerServices;
using System.Text.Json;
using DuckDB.NET.Data;
using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>
/// Data files are written a row group at a time into files kept open per partition: what an independent reader
/// (DuckDB) finds in each file must match the add action's exact stats, and a write that fails midway must leave
/// nothing behind, not even the temporary files of the files still open.
/// </summary>
public sealed class StreamingDataFileTests : IDisposable
{
    private const int TextChars = 50_000; // 100 KB of row memory per row: about 20 rows per 2 MiB row group, 80 per 8 MiB file
    private readonly TempDirectory _dir = new("stream");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DeltaTable<TestRow> Table() => new(_dir.Path, TestRow.Spec);

    private static IEnumerable<TestRow> Large(string part, int from, int count) =>
        TestRow.Make(part, from, count).Select(r =>
        {
            r.Text = r.Id % 7 == 3 ? null : new string((char)('a' + (r.Id % 26)), TextChars);
            return r;
        });

    private static object?[] QueryOne(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return row;
    }

    private List<(string Path, JsonElement Stats)> Adds() =>
        File.ReadAllLines(_dir.Combine("rows", "_delta_log", $"{0:D20}.json")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(a => a.TryGetProperty("add", out _)).Select(a => a.GetProperty("add"))
            .Select(a => (Uri.UnescapeDataString(a.GetProperty("path").GetString()!), JsonDocument.Parse(a.GetProperty("stats").GetString()!).RootElement)).ToList();

    [Fact]
    public async Task LargeFiles_AreWrittenInSeveralRowGroups_WithStatsOverAllOfThem()
    {
        var rows = Large("a", 0, 200).ToList();
        await Table().AppendAsync(rows.ToAsyncEnumerable(), cancellationToken: Ct);

        var adds = Adds();
        Assert.True(adds.Count >= 2, $"200 rows of 100 KB should not fit one 8 MiB file, got {adds.Count} file(s)");
        Assert.Contains(adds, a => a.Stats.GetProperty("numRecords").GetInt64() > 30);
        foreach (var (path, stats) in adds)
        {
            var file = Path.Combine(_dir.Combine("rows"), path);
            var data = QueryOne($"SELECT count(*), min(id), max(id), count(*) - count(text), min(ts) FROM read_parquet('{file}')");
            var groups = Convert.ToInt64(QueryOne($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{file}')")[0]);
            // Over 30 rows hold over 2 MiB of row memory even with every seventh text null: more than one row group.
            if (Convert.ToInt64(data[0]) > 30) Assert.True(groups >= 2, $"{path}: {groups} row group(s) for {data[0]} rows");
            Assert.Equal(Convert.ToInt64(data[0]), stats.GetProperty("numRecords").GetInt64());
            Assert.Equal(Convert.ToInt64(data[1]), stats.GetProperty("minValues").GetProperty("id").GetInt64());
            Assert.Equal(Convert.ToInt64(data[2]), stats.GetProperty("maxValues").GetProperty("id").GetInt64());
            Assert.Equal(Convert.ToInt64(data[3]), stats.GetProperty("nullCount").GetProperty("text").GetInt64());
            Assert.Equal(Convert.ToDateTime(data[4]).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                stats.GetProperty("minValues").GetProperty("ts").GetString());
        }
        Assert.Equal(200, adds.Sum(a => a.Stats.GetProperty("numRecords").GetInt64()));
        var back = await Table().ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);
        Assert.Equal(rows.Select(r => (r.Id, r.Text)), back.OrderBy(r => r.Id).Select(r => (r.Id, r.Text)));
    }

    [Fact]
    public async Task ManyPartitionsOfLargeRows_AreAllWrittenExactly()
    {
        // 40 partitions interleaved row by row: far more partial row groups than the buffer bound allows, and more
        // partitions than files kept open at once.
        var rows = Enumerable.Range(0, 10).SelectMany(round => Enumerable.Range(0, 40).SelectMany(p => Large($"p{p:D2}", p * 100 + round, 1))).ToList();
        await Table().AppendAsync(rows.ToAsyncEnumerable(), cancellationToken: Ct);

        var adds = Adds();
        foreach (var (path, stats) in adds)
        {
            var count = Convert.ToInt64(QueryOne($"SELECT count(*) FROM read_parquet('{Path.Combine(_dir.Combine("rows"), path)}')")[0]);
            Assert.Equal(count, stats.GetProperty("numRecords").GetInt64());
        }
        Assert.Equal(400, adds.Sum(a => a.Stats.GetProperty("numRecords").GetInt64()));
        var back = await Table().ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);
        Assert.Equal(rows.Select(r => (r.Part, r.Id, r.Text)).Order(), back.Select(r => (r.Part, r.Id, r.Text)).Order());
    }

    [Fact]
    public async Task FailedSource_AbandonsTheOpenFiles_LeavingNoFileAtAll()
    {
        // Row groups of both partitions are on disk in open files when the source fails; no file reached its limit.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Table().AppendAsync(Failing(60, Ct), cancellationToken: Ct));
        Assert.Equal("source broke", error.Message);

        Assert.False(await Table().ExistsAsync(Ct));
        var root = _dir.Combine("rows");
        Assert.Empty(Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories) : []);
    }

    private static async IAsyncEnumerable<TestRow> Failing(int rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in Enumerable.Range(0, rows).SelectMany(i => Large(i % 2 == 0 ? "a" : "b", i, 1)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return row;
        }
        throw new InvalidOperationException("source broke");
    }

    public void Dispose() => _dir.Dispose();
}
