using Jobs.Contracts;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Embeddings.Tests;

/// <summary>
/// A new model is embedded side by side: its run replaces only its own rows of the range, and the rows (vectors, dead
/// letters) of the model that keeps serving stay exactly as they were.
/// </summary>
public sealed class SideBySideEmbeddingTests : IDisposable
{
    private const string Serving = "previous-model-v1";
    private readonly TempDirectory _dir = new("jobs-side-by-side");
    private string Lake => _dir.Combine("lake");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Embed_RangeHoldsAnotherModelsRows_TheyAreKeptUntouched()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token);
        server.PoisonInputs[EmbedTestData.PoisonText] = true;
        var old = chunks.Select((c, i) => new EmbeddingRow
        {
            ChunkId = c.ChunkId, DocId = c.DocId, ContentHash = c.ContentHash, Model = Serving, Embedding = [i, 1, 2], RunId = "old", Day = c.Day,
        }).ToList();
        await new DeltaTable<EmbeddingRow>(Lake, LakeTables.Embeddings).OverwriteAsync(old.ToAsyncEnumerable(), PartitionPredicate.All, Token);
        var oldDead = new DeadLetterRow
        {
            ChunkId = chunks[0].ChunkId, DocId = chunks[0].DocId, ContentHash = chunks[0].ContentHash, Model = Serving, ErrorClass = "http_500",
            Message = "old", Attempts = 3, FirstSeen = DateTime.UnixEpoch, LastSeen = DateTime.UnixEpoch, RunId = "old", Day = chunks[0].Day,
        };
        await new DeltaTable<DeadLetterRow>(Lake, LakeTables.DeadLetters).OverwriteAsync(new[] { oldDead }.ToAsyncEnumerable(), PartitionPredicate.All, Token);

        string[] args = ["--start", "2024-01-01", "--end", "2024-01-03", "--lake", Lake, "--provider", "openai",
            "--endpoint", new Uri(server.BaseAddress, "v1").ToString(), "--batch-size", "8", "--max-dead-letter-share", "0.05",
            "--retry-base-delay-ms", "1", "--retry-max-delay-seconds", "0.05"];
        var first = await StageRun.RunAsync(new EmbedStage(), args);
        var again = await StageRun.RunAsync(new EmbedStage(), args); // a re-run of the new model: still side by side

        Assert.True(first.ExitCode == ExitCodes.Success, first.Log);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Log);
        Assert.Equal(0, again.Counts["embedded"]); // the old model's vectors are never reused for the new one, the new one's are
        var rows = await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, Token);
        var kept = rows.Where(r => r.Model == Serving).OrderBy(r => r.Embedding[0]).ToList();
        Assert.Equal(old.Select(r => (r.ChunkId, r.Embedding[0])), kept.Select(r => (r.ChunkId, r.Embedding[0])));
        var added = rows.Where(r => r.Model == EmbeddingModels.Default.Id).ToList();
        Assert.Equal(chunks.Where(c => c.Text != EmbedTestData.PoisonText).Select(c => c.ChunkId).Order(), added.Select(r => r.ChunkId).Order());
        Assert.All(added, r => Assert.Equal(FaultyEmbeddingServer.Dimensions, r.Embedding.Length));
        var dead = await EmbedTestData.ReadAsync(Lake, LakeTables.DeadLetters, Token);
        var keptDead = Assert.Single(dead, d => d.Model == Serving);
        Assert.Equal(("old", 3), (keptDead.Message, keptDead.Attempts));
        Assert.Single(dead, d => d.Model == EmbeddingModels.Default.Id && d.ContentHash == chunks.Single(c => c.Text == EmbedTestData.PoisonText).ContentHash);
    }

    public void Dispose() => _dir.Dispose();
}
