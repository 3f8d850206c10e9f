using System.Globalization;
using System.Text.Json;
using Jobs.Contracts;
using Jobs.Tables;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embed.Bench;

/// <summary>One chunk of real text and its model token ids (truncated at the model's limit, as the embedder does), stored in its row as the chunk stage stores them.</summary>
public sealed record BenchChunk(ChunkRow Row, IReadOnlyList<int> Ids);

/// <summary>
/// Real passages for the benchmark: the first N documents of a BEIR corpus.jsonl (title, a newline, the abstract), in
/// file order (the arrival order), each tokenized once with the stage's own tokenizer.
/// </summary>
public static class BenchCorpus
{
    public static readonly DateOnly Day = new(2024, 1, 1);

    public static List<BenchChunk> Load(string corpus, int count, BertTokenizer tokenizer, EmbeddingModel model, string fingerprint)
    {
        var chunks = new List<BenchChunk>(count);
        foreach (var line in File.ReadLines(corpus))
        {
            if (chunks.Count == count) break;
            using var doc = JsonDocument.Parse(line);
            var id = doc.RootElement.GetProperty("_id").GetString()!;
            var text = $"{doc.RootElement.GetProperty("title").GetString()}\n{doc.RootElement.GetProperty("text").GetString()}".Trim();
            if (text.Length == 0) continue;
            var ids = tokenizer.EncodeToIds(model.ForDocument(text), model.MaxTokens, addSpecialTokens: true, out _, out _);
            chunks.Add(new BenchChunk(new ChunkRow
            {
                ChunkId = ContentHash.Of("scifact", id),
                DocId = id,
                Ordinal = 0,
                Text = text,
                TokenCount = ids.Count,
                CharStart = 0,
                CharEnd = text.Length,
                ContentHash = ContentHash.Of(text),
                Timestamp = Day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                RunId = "bench",
                TokenIds = [.. ids],
                Tokenizer = fingerprint,
                Day = Day,
            }, ids));
        }
        if (chunks.Count < count)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  (the corpus has only {chunks.Count} passages)"));
        return chunks;
    }

    /// <summary>
    /// The embed stage's batches: windows of <paramref name="windowBatches"/> batches in arrival order, each sorted
    /// (stably) by token count and cut into batches of exactly <paramref name="batchSize"/>.
    /// </summary>
    public static List<BenchChunk[]> LengthGrouped(IReadOnlyList<BenchChunk> chunks, int batchSize, int windowBatches) =>
        [.. chunks.Chunk(batchSize * windowBatches).SelectMany(w => w.OrderBy(c => c.Row.TokenCount).Chunk(batchSize))];

    /// <summary>Batches of <paramref name="batchSize"/> in arrival order.</summary>
    public static List<BenchChunk[]> ArrivalOrder(IReadOnlyList<BenchChunk> chunks, int batchSize) => [.. chunks.Chunk(batchSize)];

    /// <summary>Token positions the model computes (each batch is padded to its longest input).</summary>
    public static long PaddedTokens(IEnumerable<BenchChunk[]> batches) => batches.Sum(b => (long)b.Length * b.Max(c => c.Ids.Count));
}
