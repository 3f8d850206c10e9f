using System.Text.Json.Serialization;
using Jobs.Chunk;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Parquet.Serialization.Attributes;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// The embed stage feeds the ONNX model the ids the chunk stage stored, without tokenizing: the vectors are those of
/// the text, bit for bit. Rows without ids (a chunks table written before the column) or with ids of another
/// tokenizer are tokenized as before.
/// </summary>
public sealed class EmbedStoredTokenIdsTests(ModelFixture model) : IClassFixture<ModelFixture>, IDisposable
{
    private readonly TempDirectory _dir = new("embed-token-ids");
    private static readonly string[] Range = ["--start", "2024-03-01", "--end", "2024-03-02"];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_StoredIds_EmbedWithoutTokenizing_SameVectorsAsFromTextInAnOldTableOrUnderAnotherTokenizer()
    {
        var ct = TestContext.Current.CancellationToken;
        var withIds = _dir.Combine("with-ids");
        await TokenIdsTestData.WriteAsync(withIds, TokenIdsTestData.Documents(scifact: 12), ct);
        var chunked = await StageRun.RunAsync(new ChunkStage(), [.. Range, "--lake", withIds, "--max-tokens", "96", "--overlap-tokens", "8"]);
        Assert.True(chunked.ExitCode == ExitCodes.Success, chunked.Log);
        var chunks = await ReadAsync(withIds, LakeTables.Chunks, ct);
        Assert.All(chunks, c => Assert.NotNull(c.TokenIds));
        var texts = chunks.Select(c => c.ContentHash).Distinct().Count();

        // An old table: the same rows written without the token_ids and tokenizer columns.
        var old = _dir.Combine("old");
        await new DeltaTable<ChunkRowWithoutIds>(old, OldChunks).OverwriteAsync(chunks.Select(ChunkRowWithoutIds.Of).ToAsyncEnumerable(), PartitionPredicate.All, ct);
        // Ids of another tokenizer (reversed, so using them would change every vector): ignored.
        var other = _dir.Combine("other");
        await new DeltaTable<ChunkRow>(other, LakeTables.Chunks).OverwriteAsync(chunks.Select(c => Copy(c, [.. c.TokenIds!.Reverse()], "another-tokenizer")).ToAsyncEnumerable(),
            PartitionPredicate.All, ct);

        var fromIds = await EmbedAsync(withIds);
        var fromOld = await EmbedAsync(old);
        var fromOther = await EmbedAsync(other);

        Assert.Equal(0, fromIds.Tokenized);
        Assert.Equal(texts, fromOld.Tokenized);
        Assert.Equal(texts, fromOther.Tokenized);
        Assert.Equal(chunks.Count, fromIds.Vectors.Count);
        foreach (var chunk in chunks)
        {
            Assert.Equal(fromOld.Vectors[chunk.ChunkId], fromIds.Vectors[chunk.ChunkId]); // exact: the same ids reached the same model
            Assert.Equal(fromOld.Vectors[chunk.ChunkId], fromOther.Vectors[chunk.ChunkId]);
        }

        // The old table widens when chunk next writes it, and its rows then carry ids.
        await TokenIdsTestData.WriteAsync(old, TokenIdsTestData.Documents(scifact: 12), ct);
        var rechunked = await StageRun.RunAsync(new ChunkStage(), [.. Range, "--lake", old, "--max-tokens", "96", "--overlap-tokens", "8"]);
        Assert.True(rechunked.ExitCode == ExitCodes.Success, rechunked.Log);
        Assert.Equal(chunks.ToDictionary(c => c.ChunkId, c => c.TokenIds), (await ReadAsync(old, LakeTables.Chunks, ct)).ToDictionary(c => c.ChunkId, c => c.TokenIds));
    }

    private async Task<(long Tokenized, Dictionary<string, float[]> Vectors)> EmbedAsync(string lake)
    {
        var before = model.Generator.Tokenized;
        var run = await StageRun.RunAsync(new EmbedStage(), services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(model.Generator),
            [.. Range, "--lake", lake, "--batch-size", "8"]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var vectors = (await ReadAsync(lake, LakeTables.Embeddings, TestContext.Current.CancellationToken)).ToDictionary(e => e.ChunkId, e => e.Embedding);
        return (model.Generator.Tokenized - before, vectors);
    }

    private static Task<List<T>> ReadAsync<T>(string lake, TableSpec<T> spec, CancellationToken ct) where T : class, new() =>
        new DeltaTable<T>(lake, spec).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct).AsTask();

    private static ChunkRow Copy(ChunkRow c, int[]? ids, string? tokenizer) => new()
    {
        ChunkId = c.ChunkId, DocId = c.DocId, Ordinal = c.Ordinal, Text = c.Text, TokenCount = c.TokenCount, CharStart = c.CharStart, CharEnd = c.CharEnd,
        ContentHash = c.ContentHash, Timestamp = c.Timestamp, RunId = c.RunId, Context = c.Context, TokenIds = ids, Tokenizer = tokenizer, Day = c.Day,
    };

    private static readonly TableSpec<ChunkRowWithoutIds> OldChunks = new("chunks", [DayPartition.Definition],
        r => new Dictionary<string, string?> { [DayPartition.Column] = DayPartition.Format(r.Day) }, (r, v) => r.Day = DayPartition.Parse(v)!.Value);

    /// <summary>A chunks row as written before the token_ids and tokenizer columns.</summary>
    public sealed class ChunkRowWithoutIds
    {
        [JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
        [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
        [JsonPropertyName("ordinal")] public int Ordinal { get; set; }
        [JsonPropertyName("text")] public string Text { get; set; } = "";
        [JsonPropertyName("token_count")] public int TokenCount { get; set; }
        [JsonPropertyName("char_start")] public int CharStart { get; set; }
        [JsonPropertyName("char_end")] public int CharEnd { get; set; }
        [JsonPropertyName("content_hash")] public string ContentHash { get; set; } = "";
        [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime Timestamp { get; set; }
        [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
        [JsonPropertyName("context")] public string? Context { get; set; }
        [JsonIgnore] public DateOnly Day { get; set; }

        public static ChunkRowWithoutIds Of(ChunkRow c) => new()
        {
            ChunkId = c.ChunkId, DocId = c.DocId, Ordinal = c.Ordinal, Text = c.Text, TokenCount = c.TokenCount, CharStart = c.CharStart, CharEnd = c.CharEnd,
            ContentHash = c.ContentHash, Timestamp = c.Timestamp, RunId = c.RunId, Context = c.Context, Day = c.Day,
        };
    }
}
