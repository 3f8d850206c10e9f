using Jobs.Chunk;
using Jobs.Contracts;
using Jobs.Tables;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>The document's title (and section heading) given to the embedder with each chunk, apart from its text.</summary>
public sealed class ChunkContextTests(ModelFixture model) : IClassFixture<ModelFixture>
{
    private static readonly string Speech = File.ReadAllText(SampleFiles.SotuCsv);

    private int Tokens(string s, bool special = false) => model.Tokenizer.EncodeToIds(s, int.MaxValue, addSpecialTokens: special, out _, out _).Count;

    private static DocumentRow Doc(string text, string? title) => new() { DocId = "d1", Day = new DateOnly(2024, 1, 1), Text = text, Title = title };

    [Fact]
    public void Split_WithALongTitle_EveryChunkWithItsContextFitsTheWindow()
    {
        var title = string.Join(' ', Enumerable.Repeat("An extraordinarily verbose and repetitive headline about budgets", 20));
        var chunker = new TextChunker(model.Tokenizer, maxTokens: 96, overlapTokens: 8);
        var context = new ChunkContext(model.Tokenizer, maxTokens: 24).For(title, Speech);

        var rows = ChunkRows.For(Doc(Speech, title), chunker.Split(Speech, context.ReservedTokens), "run", context).ToList();

        Assert.True(rows.Count > 100, $"{rows.Count} chunks");
        Assert.All(rows, r => Assert.InRange(Tokens(model.Model.ForDocument(r.Context, r.Text), special: true), 1, 96));
        Assert.All(rows, r => Assert.Equal(Speech[r.CharStart..r.CharEnd], r.Text)); // the chunk's text stays its own
        var cut = rows[0].Context!;
        Assert.True(Tokens(cut) is >= 20 and <= 24, $"context '{cut}' has {Tokens(cut)} tokens; reserved {context.ReservedTokens}, title '{context.Title}'");
        Assert.StartsWith(cut, title, StringComparison.Ordinal);
        Assert.Equal(' ', title[cut.Length]); // cut at a word
    }

    [Fact]
    public void For_MarkdownHeadings_EachPassageGetsTheTitleAndTheHeadingAboveIt()
    {
        const string text = "Intro words before any heading.\n\n## Revenue\n\nTaxes rose.\n\n## Spending\n\nRoads were built.";
        var context = new ChunkContext(model.Tokenizer, maxTokens: 32).For("Annual report", text);

        Assert.Equal("Annual report", context.At(0));
        Assert.Equal("Annual report\nRevenue", context.At(text.IndexOf("Taxes", StringComparison.Ordinal)));
        Assert.Equal("Annual report\nSpending", context.At(text.IndexOf("Roads", StringComparison.Ordinal)));
        Assert.Equal(Tokens("Annual report\nSpending"), context.ReservedTokens);
    }

    [Fact]
    public void ChunkRows_TitleChange_ChangesHashAndIdButNotTheText()
    {
        var spans = new TextChunker(model.Tokenizer, maxTokens: 64, overlapTokens: 8).Split(Speech[..2000]);
        var contexts = new ChunkContext(model.Tokenizer, maxTokens: 16);
        ChunkRow[] Rows(string? title) => [.. ChunkRows.For(Doc(Speech[..2000], title), spans, "run", contexts.For(title, Speech[..2000]))];

        var (a, b, none) = (Rows("Budget message"), Rows("Farm message"), Rows(null));

        Assert.Equal(a.Select(r => r.Text), b.Select(r => r.Text));
        Assert.All(a.Zip(b), p => Assert.NotEqual(p.First.ContentHash, p.Second.ContentHash));
        Assert.All(a.Zip(b), p => Assert.NotEqual(p.First.ChunkId, p.Second.ChunkId));
        Assert.Equal(a.Select(r => r.ContentHash), Rows("Budget message").Select(r => r.ContentHash)); // deterministic
        Assert.All(none, r => Assert.Equal((null, ContentHash.Of(r.Text)), (r.Context, r.ContentHash))); // untitled: as before
    }

    [Fact]
    public void ForDocument_Context_ComesBeforeThePassageAfterABlankLine()
    {
        Assert.Equal("Title\n\ntext", model.Model.ForDocument("Title", "text"));
        Assert.Equal("text", model.Model.ForDocument(null, "text"));
        // The tokenizer reads the blank line as a word break: the context's tokens and the passage's simply add up.
        Assert.Equal(Tokens("Budget message") + Tokens("Taxes rose."), Tokens(model.Model.ForDocument("Budget message", "Taxes rose.")));
    }
}
