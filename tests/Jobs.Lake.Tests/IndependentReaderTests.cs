using DuckDB.NET.Data;
using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>
/// DuckDB's own Parquet reader (an implementation independent of Parquet.Net) reads our data files and our
/// checkpoint, including the MAP and LIST columns Spark's readers are picky about. No Spark can run here; this is
/// the closest independent check available offline.
/// </summary>
public sealed class IndependentReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new("duck");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public async Task DuckDb_ReadsOurDataFilesAndCheckpoint()
    {
        var table = new DeltaTable<TestRow>(_dir.Path, TestRow.Spec);
        for (var i = 0; i <= 10; i++) await table.AppendAsync(TestRow.Make($"p{i % 2}", i * 10, 10).ToAsyncEnumerable(), cancellationToken: Ct);
        var root = _dir.Combine("rows");

        var data = Query($"SELECT count(*), min(id), max(id), sum(len(vec))::BIGINT, min(ts) FROM read_parquet('{root}/part=*/*.parquet')").Single();
        Assert.Equal(110L, Convert.ToInt64(data[0]));
        Assert.Equal((0L, 109L, 220L), (Convert.ToInt64(data[1]), Convert.ToInt64(data[2]), Convert.ToInt64(data[3])));
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0), Convert.ToDateTime(data[4]));

        var checkpoint = Path.Combine(root, "_delta_log", "00000000000000000010.checkpoint.parquet");
        var adds = Query($"SELECT add.path, add.partitionValues['part'], add.size FROM read_parquet('{checkpoint}') WHERE add IS NOT NULL ORDER BY 1");
        var snapshot = await DeltaReader.SnapshotAsync(root, 10, Ct);
        Assert.Equal(snapshot.Files.Select(f => f.Path).Order(StringComparer.Ordinal), adds.Select(a => (string)a[0]!));
        Assert.All(adds, a => Assert.StartsWith($"part={a[1]}/", (string)a[0]!));
        var meta = Query($"SELECT metaData.partitionColumns, protocol.minReaderVersion FROM read_parquet('{checkpoint}') WHERE metaData IS NOT NULL OR protocol IS NOT NULL ORDER BY 2 NULLS FIRST");
        Assert.Equal("part", ((System.Collections.IList)meta[0][0]!)[0]);
        Assert.Equal(1, Convert.ToInt32(meta[1][1]));
    }

    public void Dispose() => _dir.Dispose();
}
