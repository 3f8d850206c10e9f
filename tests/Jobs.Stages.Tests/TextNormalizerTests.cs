using Jobs.Ingest;
using Xunit;

namespace Jobs.Stages.Tests;

public sealed class TextNormalizerTests
{
    [Theory]
    [InlineData("  plain text  ", "plain text")]
    [InlineData("Cafe\u0301 cre\u0300me", "Caf\u00e9 cr\u00e8me")]                        // NFC
    [InlineData("a\r\nb\rc\u2028d", "a\nb\nc\nd")]                                       // every line end is LF
    [InlineData("one  \t two\u00a0\u2003three", "one two three")]                        // runs of whitespace
    [InlineData("end of line   \n\n\n\n  next paragraph", "end of line\n\nnext paragraph")] // at most one blank line
    [InlineData("bell\u0007 and\u001b[0m escape", "bell and[0m escape")]                 // control characters go
    [InlineData("\u0646\u0635 \u0639\u0631\u0628\u064a  \u4e2d\u6587", "\u0646\u0635 \u0639\u0631\u0628\u064a \u4e2d\u6587")]
    [InlineData("zero\u200dwidth joiner kept", "zero\u200dwidth joiner kept")]             // format characters carry meaning
    [InlineData(" \r\n\t ", "")]
    public void Normalize_GivesSearchableText(string raw, string expected) => Assert.Equal(expected, TextNormalizer.Normalize(raw));

    [Fact]
    public void Normalize_IsIdempotent()
    {
        const string raw = "A  b\r\n\r\n\r\nc\u0007 d\u0301";
        Assert.Equal(TextNormalizer.Normalize(raw), TextNormalizer.Normalize(TextNormalizer.Normalize(raw)));
    }
}
