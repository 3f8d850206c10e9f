using Jobs.Ingest;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>E-mail quoting and signatures stripped by layout (<c>--strip-email-quotes</c>), whatever the language.</summary>
public sealed class EmailTextTests
{
    private static string Strip(string mail) => TextNormalizer.Normalize(mail, HtmlMode.Auto, stripEmailQuotes: true);

    [Fact]
    public void Strip_ReplyWithQuoteAndSignature_KeepsOnlyTheNewText()
    {
        const string mail = "Hi Ann,\r\n\r\nThe numbers look right to me; ship it.\r\n\r\nOn Tue, Mar 3, 2001 at 9:14 AM, Ann Smith <ann@example.org> wrote:\r\n" +
                            "> Can you check the Q1 figures?\r\n>\r\n> > Earlier thread\r\n> Thanks\r\n\r\n-- \r\nBob Jones\r\nFinance, ACME Corp.\r\n+1 555 0100\r\n";

        Assert.Equal("Hi Ann,\n\nThe numbers look right to me; ship it.", Strip(mail));
    }

    [Theory]
    [InlineData("Le mar. 3 mars 2001 \u00e0 09:14, Ann Smith <ann@example.org> a \u00e9crit :")]
    [InlineData("Am 03.03.2001 um 09:14 schrieb Ann Smith <ann@example.org>:")]
    [InlineData("2001\u5e743\u67083\u65e5 9:14 Ann Smith <ann@example.org>:")]
    public void Strip_AttributionInAnyLanguage_GoesWithItsQuote(string attribution) =>
        Assert.Equal("D'accord.", Strip($"D'accord.\n\n{attribution}\n> Pouvez-vous v\u00e9rifier ?\n"));

    [Fact]
    public void Strip_ForwardedOriginal_IsCutFromTheSeparator() =>
        Assert.Equal("See below.", Strip("See below.\n\n-----Original Message-----\nFrom: Ann Smith\nSent: Tuesday, March 3, 2001 9:14 AM\nSubject: Q1\n\nCan you check?"));

    [Fact]
    public void Strip_ColonLineNotBeforeAQuote_IsKept() =>
        Assert.Equal("Agenda:\n- budget\n- parks", Strip("Agenda:\n- budget\n- parks"));

    [Fact]
    public void Strip_LongTextAfterDashes_IsNotTakenForASignature()
    {
        var body = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"Paragraph {i} of the report."));
        Assert.Equal($"Intro\n--\n{body}", Strip($"Intro\n--\n{body}"));
    }

    [Fact]
    public void Strip_HtmlMailWithBlockquote_DropsTheQuotedPart() =>
        Assert.Equal("Yes, Thursday works.", Strip(
            "<div dir=\"ltr\">Yes, Thursday works.</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Tue, Mar 3, 2001 Ann wrote:<br></div>" +
            "<blockquote class=\"gmail_quote\">Does Thursday work?</blockquote></div>"));

    [Fact]
    public void Normalize_WithoutStripping_KeepsQuotesAndSignature()
    {
        const string mail = "Thanks!\n\nOn Tue, Ann wrote:\n> Question?\n\n-- \nBob";
        Assert.Equal("Thanks!\n\nOn Tue, Ann wrote:\n> Question?\n\n--\nBob", TextNormalizer.Normalize(mail, HtmlMode.Auto));
    }
}
