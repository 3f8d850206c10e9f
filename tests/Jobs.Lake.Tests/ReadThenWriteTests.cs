using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>
/// <see cref="DeltaTable{TRow}.OverwriteIfUnchangedAsync"/>: a write computed from a read is refused when another commit
/// changed the partitions read since, and goes through when the other commit touched only other partitions.
/// </summary>
public sealed class ReadThenWriteTests : IDisposable
{
    private readonly TempDirectory _dir = new("rmw");

    private DeltaTable<TestRow> Table() => new(_dir.Path, TestRow.Spec);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<long> SeedAsync()
    {
        await Table().OverwriteAsync(TestRow.Make("a", 0, 3).Concat(TestRow.Make("b", 10, 3)).ToAsyncEnumerable(), PartitionPredicate.All, Ct);
        return (await Table().SnapshotAsync(cancellationToken: Ct)).Version;
    }

    [Fact]
    public async Task OverwriteIfUnchangedAsync_PartitionRewrittenSinceTheRead_ThrowsConflictAndKeepsTheOtherWrite()
    {
        var read = await SeedAsync();
        await Table().OverwriteAsync(TestRow.Make("a", 100, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), Ct); // the other writer

        await Assert.ThrowsAsync<DeltaConflictException>(() =>
            Table().OverwriteIfUnchangedAsync(TestRow.Make("a", 200, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), read, TestRow.PartIs("a"), Ct));

        Assert.Equal([10, 11, 12, 100], (await Table().ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct)).Select(r => r.Id).Order());
    }

    [Fact]
    public async Task OverwriteIfUnchangedAsync_OnlyOtherPartitionsChanged_Commits()
    {
        var read = await SeedAsync();
        await Table().OverwriteAsync(TestRow.Make("b", 100, 1).ToAsyncEnumerable(), TestRow.PartIs("b"), Ct);

        var commit = await Table().OverwriteIfUnchangedAsync(TestRow.Make("a", 200, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), read, TestRow.PartIs("a"), Ct);

        Assert.Equal(read + 2, commit.Version);
        Assert.Equal([100, 200], (await Table().ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct)).Select(r => r.Id).Order());
    }

    [Fact]
    public async Task OverwriteIfUnchangedAsync_TableCreatedSinceReadingNothing_ThrowsConflict()
    {
        await Table().OverwriteAsync(TestRow.Make("a", 0, 1).ToAsyncEnumerable(), PartitionPredicate.All, Ct);

        await Assert.ThrowsAsync<DeltaConflictException>(() =>
            Table().OverwriteIfUnchangedAsync(TestRow.Make("a", 5, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), -1, TestRow.PartIs("a"), Ct));
    }

    public void Dispose() => _dir.Dispose();
}
