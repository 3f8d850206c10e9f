using Jobs.Contracts;
using Jobs.Lake;
using Jobs.Tables;

namespace Jobs.Embeddings.Tests;

/// <summary>Chunks written straight into a lake: 40 passages over two days, two duplicated texts and one poison input.</summary>
internal static class EmbedTestData
{
    public const string PoisonText = "This passage makes the embedding server fail, every time.";
    public const int Duplicates = 2;

    public static async Task<IReadOnlyList<ChunkRow>> WriteChunksAsync(string lake, CancellationToken cancellationToken, bool poison = true, int count = 40)
    {
        var chunks = new List<ChunkRow>();
        for (var i = 0; i < count; i++)
        {
            var day = new DateOnly(2024, 1, 1).AddDays(i % 2);
            var text = poison && i == 17 ? PoisonText
                : i is 21 or 33 ? Text(i - 20) // duplicated passages: the same text as chunks 1 and 13
                : Text(i);
            var docId = $"doc-{i / 4}";
            chunks.Add(new ChunkRow
            {
                ChunkId = ContentHash.Of(docId, day.ToString("O"), i.ToString(System.Globalization.CultureInfo.InvariantCulture), ContentHash.Of(text)),
                DocId = docId,
                Ordinal = i % 4,
                Text = text,
                TokenCount = text.Length / 4,
                CharStart = 0,
                CharEnd = text.Length,
                ContentHash = ContentHash.Of(text),
                Timestamp = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                RunId = "test",
                Day = day,
            });
        }
        await new DeltaTable<ChunkRow>(lake, LakeTables.Chunks).OverwriteAsync(chunks.ToAsyncEnumerable(), PartitionPredicate.All, cancellationToken);
        return chunks;
    }

    public static async Task<List<T>> ReadAsync<T>(string lake, TableSpec<T> spec, CancellationToken cancellationToken) where T : class, new() =>
        await new DeltaTable<T>(lake, spec).ReadAsync(PartitionPredicate.All, cancellationToken).ToListAsync(cancellationToken);

    private static string Text(int i) => $"Passage {i} of the test corpus: the committee met on day {i} and discussed item {i * 7 % 13}.";
}
