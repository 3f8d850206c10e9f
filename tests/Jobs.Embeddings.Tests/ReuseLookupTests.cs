using Jobs.Contracts;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Embeddings.Tests;

/// <summary>
/// Reuse by content hash reads only what can match: over a lake of many days, looking up the hashes of two days reads
/// the hash column of every file and whole rows (the vectors) only of the files that hold one of them.
/// </summary>
public sealed class ReuseLookupTests : IDisposable
{
    private const int Days = 30, RowsPerDay = 200;
    private readonly TempDirectory _dir = new("jobs-reuse-lookup");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadHolding_HashesOfTwoDaysInALakeOfThirty_ReadsWholeRowsOfTheirFilesOnly()
    {
        var storage = new ReadCountingStorage(_dir.Path);
        var table = new DeltaTable<EmbeddingRow>(storage, LakeTables.Embeddings);
        var rows = Enumerable.Range(0, Days * RowsPerDay).Select(Row).ToList();
        foreach (var day in rows.GroupBy(r => r.Day)) // one commit a day, as embed writes them
            await table.OverwriteAsync(day.ToAsyncEnumerable(), DayPartition.Within(new DateChunk(day.Key, day.Key.AddDays(1))), Token);
        var wanted = rows.Where(r => r.Day.Day is 3 or 17).GroupBy(r => r.Day).SelectMany(d => d.Where((_, i) => i % 10 == 0))
            .Select(r => r.ContentHash).ToHashSet(StringComparer.Ordinal); // a tenth of each of two days' texts
        wanted.Add(ContentHash.Of("a text no day holds"));

        storage.Reset();
        var all = await table.ReadAsync(PartitionPredicate.All, Token).Where(r => wanted.Contains(r.ContentHash)).ToListAsync(Token);
        var (allFiles, allBytes) = (storage.FilesOpened, storage.BytesRead);
        storage.Reset();
        var holding = await table.ReadHoldingAsync(PartitionPredicate.All, EmbeddingRow.ContentHashColumn, wanted, Token).ToListAsync(Token);
        var (holdingFiles, holdingBytes) = (storage.FilesOpened, storage.BytesRead);

        Assert.Equal(all.Select(r => r.ChunkId).Order(), holding.Where(r => wanted.Contains(r.ContentHash)).Select(r => r.ChunkId).Order());
        Assert.Equal(wanted.Count - 1, all.Count);
        Assert.Equal(2 * RowsPerDay, holding.Count); // whole rows of the two days' files only
        Assert.Equal((long)Days, allFiles);
        Assert.Equal(Days + 2L, holdingFiles);      // every file's hash column, then the two files read whole
        Assert.True(holdingBytes * 4 < allBytes, $"read {holdingBytes:N0} bytes by hash against {allBytes:N0} for the whole table");
        TestContext.Current.TestOutputHelper?.WriteLine($"whole table: {allFiles} files, {allBytes:N0} bytes; by hash: {holdingFiles} file opens, {holdingBytes:N0} bytes");
    }

    private static EmbeddingRow Row(int i)
    {
        var text = $"passage {i}";
        var random = new Random(i);
        return new EmbeddingRow
        {
            ChunkId = $"c{i}", DocId = $"d{i / 10}", ContentHash = ContentHash.Of(text), Model = EmbeddingModels.Default.Id,
            Embedding = [.. Enumerable.Range(0, EmbeddingModels.Default.Dimensions).Select(_ => (float)random.NextDouble())],
            Dimension = EmbeddingModels.Default.Dimensions, RunId = "test", Day = new DateOnly(2024, 1, 1).AddDays(i % Days),
        };
    }

    public void Dispose() => _dir.Dispose();
}
