using System.Text.Json;
using Jobs.Chunk;
using Jobs.Embed;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// Passages that never name their subject are found by a query naming it, because the chunk stage gives the
/// document's title to the embedder as context (real ONNX model, real ingest → chunk → embed runs).
/// </summary>
public sealed class TitleContextRetrievalTests(ModelFixture model) : IClassFixture<ModelFixture>, IDisposable
{
    private readonly TempDirectory _dir = new("title-context");

    // Each text speaks of its subject only as "it" or by what happens there; the title names it.
    private static readonly (string Title, string Text)[] Corpus =
    [
        ("The Great Barrier Reef", "Warming seas have bleached large stretches of it three times in five years, and the corals that died are slowly being overgrown by algae."),
        ("The Amazon rainforest", "Loggers and cattle ranchers cleared an area the size of a small country last year, and parts of it now release more carbon than they absorb."),
        ("Arctic sea ice", "Each September its extent is measured by satellite; the summer minimum has shrunk by about an eighth per decade since the records began."),
        ("The Sahara", "Rock paintings of giraffes and swimmers show that it was green and dotted with lakes only a few thousand years ago."),
        ("Venice", "Mobile barriers now rise from the lagoon floor whenever a high tide threatens to flood its squares and churches."),
        ("Mount Everest", "Climbers queue for hours below the summit on the few calm days of May, and the crowding has become deadly."),
    ];

    private string[] Range => ["--start", "2024-05-01", "--end", "2024-05-02", "--lake", _dir.Combine("lake")];

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float dot = 0;
        for (var i = 0; i < a.Length; i++) dot += a[i] * b[i];
        return dot;
    }

    private async Task<Dictionary<string, float[]>> EmbedCorpusAsync()
    {
        var source = _dir.Combine("articles.jsonl");
        await File.WriteAllLinesAsync(source, Corpus.Select((d, i) => JsonSerializer.Serialize(new { id = $"a{i}", timestamp = "2024-05-01T12:00:00Z", title = d.Title, text = d.Text })),
            TestContext.Current.CancellationToken);
        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), [.. Range, "--source", source])).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), Range)).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new EmbedStage(), Range)).ExitCode);
        var ct = TestContext.Current.CancellationToken;
        var chunks = await new DeltaTable<ChunkRow>(_dir.Combine("lake"), LakeTables.Chunks).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        var vectors = await new DeltaTable<EmbeddingRow>(_dir.Combine("lake"), LakeTables.Embeddings).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        Assert.Equal(Corpus.Select(d => (d.Title, d.Text)).Order(), chunks.Select(c => (c.Context!, c.Text)).Order()); // one chunk each: text as written, title apart
        return vectors.ToDictionary(v => v.DocId, v => v.Embedding);
    }

    [Fact]
    public async Task Search_QueryNamingOnlyTheTitle_FindsThePassageThatNeverMentionsIt()
    {
        var withTitle = await EmbedCorpusAsync();
        var textOnly = (await model.Generator.GenerateAsync(Corpus.Select(d => d.Text), cancellationToken: TestContext.Current.CancellationToken))
            .Select((e, i) => (Id: $"a{i}", Vector: e.Vector.ToArray())).ToDictionary(e => e.Id, e => e.Vector);
        var queries = await model.Generator.GenerateAsync(Corpus.Select(d => model.Model.ForQuery(d.Title.Replace("The ", "", StringComparison.Ordinal).ToLowerInvariant())),
            cancellationToken: TestContext.Current.CancellationToken);

        string Top(Dictionary<string, float[]> index, int q) => index.MaxBy(e => Dot(queries[q].Vector.Span, e.Value)).Key;
        var foundWithTitle = Enumerable.Range(0, Corpus.Length).Count(q => Top(withTitle, q) == $"a{q}");
        var foundTextOnly = Enumerable.Range(0, Corpus.Length).Count(q => Top(textOnly, q) == $"a{q}");

        Assert.Equal(Corpus.Length, foundWithTitle);
        Assert.True(foundTextOnly < foundWithTitle, $"the texts alone already find {foundTextOnly} of {Corpus.Length}: the corpus does not test the context");
        // "great barrier reef": the reef passage's own score rises with its title.
        Assert.True(Dot(queries[0].Vector.Span, withTitle["a0"]) > Dot(queries[0].Vector.Span, textOnly["a0"]) + 0.05f);
    }

    [Fact]
    public async Task Embed_TitleChanged_ReembedsTheChunkOfThatDocumentOnly()
    {
        await EmbedCorpusAsync();
        var source = _dir.Combine("articles.jsonl");
        var lines = await File.ReadAllLinesAsync(source, TestContext.Current.CancellationToken);
        lines[4] = lines[4].Replace("\"Venice\"", "\"Venice, Italy\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(source, lines, TestContext.Current.CancellationToken);

        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), [.. Range, "--source", source])).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), Range)).ExitCode);
        var embed = await StageRun.RunAsync(new EmbedStage(), Range);

        Assert.Equal((0, 1L, 5L), (embed.ExitCode, embed.Counts["embedded"], embed.Counts["reused"]));
    }

    public void Dispose() => _dir.Dispose();
}
