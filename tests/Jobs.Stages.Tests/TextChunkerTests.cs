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
    public void Split_WhitespaceOnly_IsNoChunk() => Assert.Empty(new TextChunker(model.Tokenizer).Split("  \n\t "));
}
