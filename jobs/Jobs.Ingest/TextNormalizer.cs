using System.Globalization;
using System.Text;

namespace Jobs.Ingest;

/// <summary>
/// Text as documents hold it, the same for every language: Unicode NFC; line ends as LF (CRLF, CR, U+2028 and
/// U+2029 too); control characters removed (tab and LF excepted); each run of other whitespace a single space, no
/// space at the end of a line, at most one blank line in a row; nothing around the text. NUL is not removed here:
/// ingest refuses it with its reason instead. Before that, HTML is reduced to text (<see cref="HtmlText"/>) and, when
/// asked, e-mail quotes and signatures are stripped (<see cref="EmailText"/>).
/// </summary>
public static class TextNormalizer
{
    /// <summary>The text as documents hold it: HTML reduced when <paramref name="html"/> says so, then normalised, then (optionally) mail quoting stripped.</summary>
    public static string Normalize(string? text, HtmlMode html, bool stripEmailQuotes = false)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        if (html == HtmlMode.On || (html == HtmlMode.Auto && HtmlText.LooksLikeHtml(text))) text = HtmlText.ToText(text, stripEmailQuotes);
        var normal = Normalize(text);
        return stripEmailQuotes ? Normalize(EmailText.Strip(normal)) : normal;
    }

    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        if (!text.IsNormalized(NormalizationForm.FormC)) text = text.Normalize(NormalizationForm.FormC);
        var result = new StringBuilder(text.Length);
        var pendingSpace = false;
        var newlines = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') continue; // the LF follows
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
            {
                pendingSpace = false;
                newlines++;
                continue;
            }
            if (c != '\t' && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Control && c != '\0') continue;
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }
            if (result.Length > 0)
            {
                if (newlines > 0) result.Append('\n', Math.Min(newlines, 2));
                else if (pendingSpace) result.Append(' ');
            }
            newlines = 0;
            pendingSpace = false;
            result.Append(c);
        }
        return result.ToString();
    }
}
