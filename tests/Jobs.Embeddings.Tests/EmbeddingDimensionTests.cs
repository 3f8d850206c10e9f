using System.Text.Json.Serialization;
using Jobs.Contracts;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Embeddings.Tests;

/// <summary>
/// Every vector row records its model's dimension: an <c>embeddings</c> table written before that column keeps
/// working (its vectors are reused, its older files read the column as null, the next commit widens the schema), and
/// a stored vector of the same model id at another dimension is never reused.
/// </summary>
public sealed class EmbeddingDimensionTests : IDisposable
{
    private static readonly DateOnly OutsideTheRange = new(2024, 1, 5);
    private readonly TempDirectory _dir = new("jobs-dimension");
    private string Lake => _dir.Combine("lake");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string[] Args(FaultyEmbeddingServer server) =>
        ["--start", "2024-01-01", "--end", "2024-01-03", "--lake", Lake, "--provider", "openai",
            "--endpoint", new Uri(server.BaseAddress, "v1").ToString(), "--batch-size", "8", "--retry-base-delay-ms", "1"];

    [Fact]
    public async Task Embed_OverATableWrittenBeforeTheDimensionColumn_ReusesItsVectorsAndRecordsTheDimension()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false);
        var legacy = chunks.Select(c => Legacy(c.ChunkId, c.ContentHash, c.Day, FaultyEmbeddingServer.VectorOf("stored " + c.Text))).ToList();
        var outside = Legacy("elsewhere", "h-elsewhere", OutsideTheRange, FaultyEmbeddingServer.VectorOf("elsewhere"));
        await new DeltaTable<LegacyEmbeddingRow>(Lake, LegacySpec).OverwriteAsync(legacy.Append(outside).ToAsyncEnumerable(), PartitionPredicate.All, Token);

        var run = await StageRun.RunAsync(new EmbedStage(), Args(server));

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((0L, (long)chunks.Count), (run.Counts["embedded"], run.Counts["reused"]));
        Assert.Empty(server.Seen); // unchanged text: no model call, although the stored rows have no dimension
        var rows = await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, Token);
        var inRange = rows.Where(r => r.Day != OutsideTheRange).ToDictionary(r => r.ChunkId);
        Assert.All(legacy, l => Assert.Equal(l.Embedding, inRange[l.ChunkId].Embedding));
        Assert.All(inRange.Values, r => Assert.Equal(EmbeddingModels.Default.Dimensions, r.Dimension));
        Assert.Null(Assert.Single(rows, r => r.Day == OutsideTheRange).Dimension); // an older file, not rewritten: null
        var schema = (await new DeltaTable<EmbeddingRow>(Lake, LakeTables.Embeddings).SnapshotAsync(cancellationToken: Token)).Schema;
        Assert.Equal(("integer", true), (schema["dimension"]!.PrimitiveType, schema["dimension"]!.Nullable));
    }

    [Fact]
    public async Task Embed_StoredVectorOfTheModelAtAnotherDimension_IsEmbeddedAgainNotReused()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false, count: 4);
        var other = chunks.Select(c => new EmbeddingRow
        {
            ChunkId = c.ChunkId, DocId = c.DocId, ContentHash = c.ContentHash, Model = EmbeddingModels.Default.Id,
            Embedding = [.. FaultyEmbeddingServer.VectorOf(c.Text).Take(256)], Dimension = 256, RunId = "old", Day = c.Day,
        });
        await new DeltaTable<EmbeddingRow>(Lake, LakeTables.Embeddings).OverwriteAsync(other.ToAsyncEnumerable(), PartitionPredicate.All, Token);

        var run = await StageRun.RunAsync(new EmbedStage(), Args(server));

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((4L, 0L), (run.Counts["embedded"], run.Counts["reused"]));
        var rows = await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, Token);
        Assert.All(rows, r => Assert.Equal((EmbeddingModels.Default.Dimensions, EmbeddingModels.Default.Dimensions), (r.Dimension!.Value, r.Embedding.Length)));
    }

    private static LegacyEmbeddingRow Legacy(string chunkId, string hash, DateOnly day, float[] vector) => new()
    {
        ChunkId = chunkId, DocId = "doc", ContentHash = hash, Model = EmbeddingModels.Default.Id, Embedding = vector, RunId = "legacy", Day = day,
    };

    private static readonly TableSpec<LegacyEmbeddingRow> LegacySpec = new(LakeTables.Embeddings.Name, [DayPartition.Definition],
        r => new Dictionary<string, string?> { [DayPartition.Column] = DayPartition.Format(r.Day) }, (r, v) => r.Day = DayPartition.Parse(v)!.Value);

    /// <summary>An <c>embeddings</c> row as written before the dimension column.</summary>
    public sealed class LegacyEmbeddingRow
    {
        [JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
        [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
        [JsonPropertyName("content_hash")] public string ContentHash { get; set; } = "";
        [JsonPropertyName("model")] public string Model { get; set; } = "";
        [JsonPropertyName("embedding")] public float[] Embedding { get; set; } = [];
        [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
        [JsonIgnore] public DateOnly Day { get; set; }
    }

    public void Dispose() => _dir.Dispose();
}
