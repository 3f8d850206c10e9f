using Jobs.Chunk;
using Xunit;

namespace Jobs.Stages.Tests;

public sealed class TextChunkerTests(ModelFixture model) : IClassFixture<ModelFixture>
{
    private static readonly string Speech = File.ReadAllText(SampleFiles.SotuCsv);

    private int Tokens(string s) => model.Tokenizer.EncodeToIds(s, int.MaxValue, addSpecialTokens: false, out _, out _).Count;

    [Fact]
    public void Split_LongText_EveryChunkFitsTheBudgetAndConsecutiveChunksOverlap()
    {
        var chunker = new TextChunker(model.Tokenizer, maxTokens: 128, overlapTokens: 16);
        var spans = chunker.Split(Speech);

        Assert.True(spans.Count > 100, $"only {spans.Count} chunks");
        Assert.All(spans, s => Assert.InRange(s.TokenCount, 1, 126));
        Assert.All(spans, s => Assert.Equal(Tokens(Speech[s.Start..s.End]), s.TokenCount));
        for (var i = 1; i < spans.Count; i++)
        {
            Assert.True(spans[i].Start > spans[i - 1].Start, "chunks must advance");
            Assert.True(spans[i].Start < spans[i - 1].End, $"chunk {i} does not overlap chunk {i - 1}");
        }
        Assert.Equal(0, spans[0].Start);
        Assert.Equal(Speech.TrimEnd().Length, spans[^1].End);
    }

    [Fact]
    public void Split_PrefersSentenceEnds()
    {
        var spans = new TextChunker(model.Tokenizer, maxTokens: 128, overlapTokens: 16).Split(Speech);
        var atSentenceEnd = spans.Take(spans.Count - 1).Count(s => Speech[s.End - 1] is '.' or '!' or '?' or ':' or ';' or '"');
        Assert.True(atSentenceEnd > spans.Count * 0.8, $"{atSentenceEnd} of {spans.Count} chunks end a sentence");
    }

    [Fact]
    public void Split_ShortText_IsOneChunk()
    {
        var spans = new TextChunker(model.Tokenizer).Split("A short note about schools.");
        var span = Assert.Single(spans);
        Assert.Equal((0, 27), (span.Start, span.End));
    }

    [Fact]
    public void Split_TextWithLineBreaksAndTabs_NoChunkIsOverTheWindowOnceTheEmbedderTokenizesIt()
    {
        // Every other space a line break or a tab: the words around them must stay apart, as BERT's tokenizer keeps them.
        var words = Speech.Split(' ');
        var text = string.Concat(words.Select((w, i) => w + (i % 3 == 0 ? "\n" : i % 3 == 1 ? "\t" : "\r\n")));
        var spans = new TextChunker(model.Tokenizer, maxTokens: 128, overlapTokens: 16).Split(text);
        Assert.All(spans, s => Assert.InRange(model.Tokenizer.EncodeToIds(model.Model.ForDocument(text[s.Start..s.End]), int.MaxValue, addSpecialTokens: true, out _, out _).Count, 3, 128));
        Assert.All(spans, s => Assert.Equal(Tokens(text[s.Start..s.End]), s.TokenCount));
    }

    [Fact]
    public void Split_WordLongerThanTheBudget_IsCutIntoPiecesThatFit()
    {
        // Under 100 characters (a longer word is a single [UNK] for WordPiece) but many word pieces.
        var blob = string.Concat(Enumerable.Range(0, 16).Select(i => $"qz{i}xv"));
        Assert.True(Tokens(blob) > 40, $"{Tokens(blob)} tokens");
        var text = "Before the blob " + blob + " and after it.";
        var spans = new TextChunker(model.Tokenizer, maxTokens: 16, overlapTokens: 4).Split(text);
        Assert.True(spans.Count > 3, $"{spans.Count} chunks");
        Assert.All(spans, s => Assert.InRange(Tokens(text[s.Start..s.End]), 1, 14));
        Assert.All(spans, s => Assert.Equal(Tokens(text[s.Start..s.End]), s.TokenCount));
        Assert.Equal((0, text.Length), (spans[0].Start, spans[^1].End));
        for (var i = 1; i < spans.Count; i++)
            Assert.True(spans[i].Start <= spans[i - 1].End || string.IsNullOrWhiteSpace(text[spans[i - 1].End..spans[i].Start]), $"text lost before chunk {i}");
    }

    [Fact]
    public async Task Verify_ChunkOverTheWindow_FailsTheRunWithExitFourBeforeTheCommit()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 300));
        var rows = new[] { new Jobs.Tables.ChunkRow { ChunkId = "c1", DocId = "d1", Text = text } }.ToAsyncEnumerable();
        var check = new ChunkWindowCheck(model.Tokenizer, model.Model, maxTokens: 256);
        var error = await Assert.ThrowsAsync<Jobs.Hosting.QualityGateException>(async () => await check.Verify(rows).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Contains("chunk c1 (document d1, passage 0) has 302 tokens", error.Message);
    }

    [Fact]
    public void Split_WhitespaceOnly_IsNoChunk() => Assert.Empty(new TextChunker(model.Tokenizer).Split("  \n\t "));
}
