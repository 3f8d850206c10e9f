using Jobs.Chunk;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.Tokenizers;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// The chunk stage stores each chunk's model input ids from one tokenization of its document: they equal what the
/// embedder's tokenizer gives for <c>model.ForDocument(context, text)</c>, for every chunk of real and messy texts.
/// </summary>
public sealed class ChunkTokenIdsTests(ModelFixture model) : IClassFixture<ModelFixture>, IDisposable
{
    private readonly TempDirectory _dir = new("chunk-token-ids");
    private string Lake => _dir.Combine("lake");
    private static readonly string[] Range = ["--start", "2024-03-01", "--end", "2024-03-02"];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_RealAndMessyTexts_StoresTheTokenizersOwnIdsOfEveryChunk()
    {
        var ct = TestContext.Current.CancellationToken;
        var docs = TokenIdsTestData.Documents(scifact: 120);
        await TokenIdsTestData.WriteAsync(Lake, docs, ct);

        var run = await StageRun.RunAsync(new ChunkStage(), [.. Range, "--lake", Lake, "--max-tokens", "64", "--overlap-tokens", "8"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var rows = await new DeltaTable<ChunkRow>(Lake, LakeTables.Chunks).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        Assert.True(rows.Count > 600, $"{rows.Count} chunks");
        Assert.Equal(docs.Select(d => d.DocId).Order(), rows.Select(r => r.DocId).Distinct().Order());
        var fingerprint = TokenizerFingerprint.Of(model.Files, model.Model);
        foreach (var row in rows)
        {
            var expected = TokenIdsTestData.Ids(model.Tokenizer, model.Model.ForDocument(row.Context, row.Text));
            Assert.True(expected.SequenceEqual(row.TokenIds ?? []), $"chunk {row.Ordinal} of {row.DocId}: stored ids differ from the tokenizer's for {row.Text}");
            Assert.Equal(fingerprint, row.Tokenizer);
            Assert.InRange(row.TokenIds!.Length, 3, 64);
        }
        // The messy texts did reach the paths under test: cut pieces of the long word, headings as context, a cut title.
        Assert.True(rows.Count(r => r.DocId == "blob") > 20);
        Assert.Contains(rows, r => r.DocId == "headings" && r.Context == "A handbook\nDetails\tand more");
        Assert.Contains(rows, r => r.DocId == "long-title" && r.Context!.Length < docs.Single(d => d.DocId == "long-title").Title!.Length);
    }

    [Fact]
    public async Task Run_TokenizesEachDocumentOnce_CharactersTokenizedAboutTheCharactersOfTheText()
    {
        var ct = TestContext.Current.CancellationToken;
        // Cutting a word or a title too long for its budget probes it by bisection (bounded; its ids are tested above).
        var docs = TokenIdsTestData.Documents(scifact: 120).Where(d => d.DocId is not ("blob" or "long-title")).ToList();
        await TokenIdsTestData.WriteAsync(Lake, docs, ct);
        var counter = new CountingNormalizer();
        var tokenizer = Jobs.Embeddings.WordPieceTokenizer.Create(model.Files, counter.Wrap);

        var run = await StageRun.RunAsync(new ChunkStage(), services => services.AddSingleton(tokenizer),
            [.. Range, "--lake", Lake, "--max-tokens", "64", "--overlap-tokens", "8"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        // Each word once, each context once (a title alone, and with each heading of its document), the model's prefix
        // once (before: the words, then every span again, then every chunk with its context again).
        var text = docs.Sum(d => (long)d.Text.Length);
        var separators = docs.Sum(d => (long)d.Text.Count(WordBoundaries.IsSeparator));
        var titles = docs.Sum(d => (long)(d.Title?.Length ?? 0));
        Assert.True(counter.Characters >= text - separators && counter.Characters <= text + 3 * titles,
            $"{counter.Characters} characters tokenized for {text} of text and {titles} of titles ({counter.Characters / (double)text:F3} per character of text)");
    }

    [Theory]
    [InlineData("")]
    [InlineData("search_document: ")]
    [InlineData("passage:")]
    public void For_AnyDocumentPrefix_GivesTheTokenizersIdsOfTheTextAsTheEmbedderReadsIt(string prefix)
    {
        var described = model.Model with { DocumentPrefix = prefix };
        var input = new ChunkModelInput(model.Tokenizer, described, "test");
        var chunker = new TextChunker(model.Tokenizer, maxTokens: 48, overlapTokens: 8, reservedTokens: input.PrefixTokens);
        foreach (var doc in TokenIdsTestData.Documents(scifact: 5))
            foreach (var span in chunker.Split(doc.Text, 6))
            {
                var text = doc.Text[span.Start..span.End];
                foreach (var context in new[] { null, "Title\twith tab", "Überschrift" })
                {
                    var contextIds = context is null ? null : model.Tokenizer.EncodeToIds(context, int.MaxValue, addSpecialTokens: false, out _, out _);
                    Assert.Equal(TokenIdsTestData.Ids(model.Tokenizer, described.ForDocument(context, text)), input.For(context, contextIds, text, span.Ids));
                }
            }
    }

    [Fact]
    public async Task Verify_StoredIdsUnlikeTheTokenizers_FailsTheRunWithExitFour()
    {
        var text = "hello\fworld"; // the form feed is deleted: one word for the tokenizer, two if split at every \s
        int[] wrong = TokenIdsTestData.Ids(model.Tokenizer, "hello world");
        var rows = new[] { new ChunkRow { ChunkId = "c1", DocId = "d1", Text = text, TokenIds = wrong } }.ToAsyncEnumerable();
        var check = new ChunkWindowCheck(model.Tokenizer, model.Model, maxTokens: 256);

        var error = await Assert.ThrowsAsync<QualityGateException>(async () => await check.Verify(rows).ToListAsync(TestContext.Current.CancellationToken));

        Assert.Contains("chunk c1 (document d1, passage 0): its model input ids (4) differ from the tokenizer's", error.Message);
    }

    /// <summary>Counts the characters the tokenizer normalises: one call per tokenization.</summary>
    private sealed class CountingNormalizer
    {
        private long _characters;
        public long Characters => Interlocked.Read(ref _characters);

        public Normalizer Wrap(Normalizer inner) => new Counting(inner, this);

        private sealed class Counting(Normalizer inner, CountingNormalizer owner) : Normalizer
        {
            public override string Normalize(string original)
            {
                Interlocked.Add(ref owner._characters, original.Length);
                return inner.Normalize(original);
            }

            public override string Normalize(ReadOnlySpan<char> original)
            {
                Interlocked.Add(ref owner._characters, original.Length);
                return inner.Normalize(original);
            }
        }
    }
}
