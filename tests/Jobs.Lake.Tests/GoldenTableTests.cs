using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>Real tables written by Spark and delta-rs (../shared/testdata/delta), read in place.</summary>
public sealed class GoldenTableTests
{
    private static string Table(string path) => Path.Combine(RepoPaths.SharedTestData, "delta", path);

    [Theory]
    [InlineData("spark-golden/deltalog-invalid-protocol-version/delta", "reader version 99")]
    [InlineData("spark-golden/table-with-columnmapping-mode-name/delta", "column mapping")]
    [InlineData("delta-rs/table_with_column_mapping", "")]
    [InlineData("spark-golden/dv-partitioned-with-checkpoint/delta", "")]
    public void Snapshot_UnsupportedTable_IsRefusedWithReason(string path, string reason)
    {
        var e = Assert.ThrowsAny<Exception>(() => DeltaSnapshot.Load(new DeltaLogStore(Table(path))));
        Assert.True(e is DeltaUnsupportedException, $"{path}: expected a refusal, got {e.GetType().Name}: {e.Message}");
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("spark-golden/snapshot-data3/delta", 4)] // v2 overwrite adds 2 files, v3 appends 2
    [InlineData("delta-rs/delta-0.8.0-special-partition", 2)]
    [InlineData("delta-rs/delta-0.8.0-null-partition", 2)]
    public void Snapshot_SparkAndDeltaRsTables_ReplayToTheLiveFiles(string path, int liveFiles)
    {
        var snapshot = DeltaSnapshot.Load(new DeltaLogStore(Table(path)));
        Assert.Equal(liveFiles, snapshot.Files.Count);
        Assert.All(snapshot.Files, f => Assert.True(File.Exists(Path.Combine(Table(path), PartitionPaths.FromLogPath(f.Path))), f.Path));
    }
}
