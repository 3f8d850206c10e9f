using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>_last_checkpoint is only a hint: stale, wrong or missing, it never changes what is read.</summary>
public sealed class LastCheckpointHintTests : IDisposable
{
    private readonly TempDirectory _dir = new("hint");

    private string CopyOf(string golden)
    {
        var source = Path.Combine(RepoPaths.SharedTestData, "delta", golden);
        var target = _dir.Combine("t");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        return target;
    }

    private static async Task<int> Rows(string root)
    {
        var snapshot = await DeltaReader.SnapshotAsync(root, cancellationToken: TestContext.Current.CancellationToken);
        return await DeltaReader.ReadRowsAsync(root, snapshot, cancellationToken: TestContext.Current.CancellationToken).CountAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("{\"version\":99,\"size\":3}")]
    [InlineData("{\"version\":3,\"size\":3}")]
    [InlineData("not json at all")]
    [InlineData(null)]
    public async Task Read_WithAnyHint_GivesTheSameRows(string? hint)
    {
        var root = CopyOf("spark-golden/basic-with-inserts-deletes-checkpoint/delta");
        var hintFile = Path.Combine(root, "_delta_log", "_last_checkpoint");
        if (hint is null) File.Delete(hintFile);
        else File.WriteAllText(hintFile, hint);
        Assert.Equal(41, await Rows(root));
    }

    [Fact]
    public async Task MultiPartCheckpoint_WithAMissingPart_IsIgnoredAndJsonReplayed()
    {
        var root = CopyOf("spark-golden/multi-part-checkpoint/delta");
        File.Delete(Directory.GetFiles(Path.Combine(root, "_delta_log"), "*.checkpoint.0000000002.0000000002.parquet").Single());
        var snapshot = await DeltaReader.SnapshotAsync(root, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(snapshot.CheckpointVersion);
        Assert.Equal(31, await Rows(root));
    }

    public void Dispose() => _dir.Dispose();
}
