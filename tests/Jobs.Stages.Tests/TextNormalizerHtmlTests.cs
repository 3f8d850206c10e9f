using Jobs.Ingest;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>HTML reduced to the text a reader sees, and only when the text is HTML (<c>--html auto|on|off</c>).</summary>
public sealed class TextNormalizerHtmlTests
{
    private const string Newsletter = """
        <!DOCTYPE html>
        <html><head><title>Weekly digest</title><style>p { color: red }</style>
        <script>var tracking = "<p>not text</p>";</script></head>
        <body>
          <h1>Council&nbsp;approves   budget</h1>
          <p>The council voted 7&ndash;2 on Tuesday to approve the &quot;green&quot; budget.<br>Spending rises by 4&nbsp;%.</p>
          <ul><li>Parks: &euro;1.2m</li><li>Transit &amp; roads: &#8364;3.4m</li></ul>
          <table><tr><td>Q1</td><td>12</td></tr><tr><td>Q2</td><td>15</td></tr></table>
          <p>Caf&eacute; owners &lt;welcome&gt; the plan. <img src="x.png" alt="Chart of spending"></p>
          <!-- tracking pixel -->
          <noscript>Enable JavaScript</noscript>
        </body></html>
        """;

    [Fact]
    public void Normalize_HtmlNewsletter_GivesItsTextWithBlocksAsLines()
    {
        var text = TextNormalizer.Normalize(Newsletter, HtmlMode.Auto);

        Assert.Equal(
            "Council approves budget\n\n" +
            "The council voted 7\u20132 on Tuesday to approve the \"green\" budget.\nSpending rises by 4 %.\n\n" +
            "Parks: \u20ac1.2m\nTransit & roads: \u20ac3.4m\n\n" +
            "Q1 12\nQ2 15\n\n" +
            "Caf\u00e9 owners <welcome> the plan. Chart of spending", text);
    }

    [Theory]
    [InlineData("if a < b and c > d then swap")]                           // comparisons
    [InlineData("I <3 this city")]
    [InlineData("Write to <ann.smith@example.org> or <https://example.org/a?b=1>")] // addresses in brackets
    [InlineData("Use List<string> and Dictionary<int, string> here")]      // generics in a code question
    [InlineData("AT&amp;T is written with an entity but no tags")]          // entities alone are left as written in auto
    public void Normalize_ProseWithAngleBrackets_IsLeftAsWrittenInAuto(string prose)
    {
        Assert.False(HtmlText.LooksLikeHtml(prose));
        Assert.Equal(prose, TextNormalizer.Normalize(prose, HtmlMode.Auto));
    }

    [Theory]
    [InlineData("Plain text with <b>one</b> bold word", "Plain text with one bold word")]
    [InlineData("Line one<br/>line two<BR>line three", "Line one\nline two\nline three")]
    [InlineData("<DIV>Upper-case tags</DIV><P CLASS=x>still HTML</P>", "Upper-case tags\n\nstill HTML")]
    [InlineData("<p>Unclosed paragraph<p>and another <i>unclosed", "Unclosed paragraph\n\nand another unclosed")]
    [InlineData("<pre>keep\n  these\n    lines</pre>", "keep\nthese\nlines")]
    [InlineData("<p>\u0645\u0631\u062d\u0628\u0627 &amp; \u4f60\u597d</p>", "\u0645\u0631\u062d\u0628\u0627 & \u4f60\u597d")]
    public void Normalize_HtmlFragments_AreReducedInAuto(string html, string expected) =>
        Assert.Equal(expected, TextNormalizer.Normalize(html, HtmlMode.Auto));

    [Fact]
    public void Normalize_On_DecodesEntitiesEvenWithoutTags() =>
        Assert.Equal("AT&T \u2014 caf\u00e9", TextNormalizer.Normalize("AT&amp;T &mdash; caf&#233;", HtmlMode.On));

    [Fact]
    public void Normalize_Off_KeepsMarkupAsWritten() =>
        Assert.Equal("<p>Keep <b>this</b> markup</p>", TextNormalizer.Normalize("<p>Keep <b>this</b> markup</p>", HtmlMode.Off));

    [Fact]
    public void Normalize_ScriptAndStyleAnywhere_AreDropped() =>
        Assert.Equal("Before\n\nAfter", TextNormalizer.Normalize("<p>Before</p><script>alert('x < y')</script><style>.a{}</style><p>After</p>", HtmlMode.Auto));

    [Fact]
    public void Normalize_IsIdempotentOnReducedHtml()
    {
        var once = TextNormalizer.Normalize(Newsletter, HtmlMode.Auto);
        Assert.Equal(once, TextNormalizer.Normalize(once, HtmlMode.Auto));
    }
}
