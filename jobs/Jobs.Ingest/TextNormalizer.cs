using System.Globalization;
using System.Text;

namespace Jobs.Ingest;

/// <summary>
/// Text as documents hold it, the same for every language: Unicode NFC; line ends as LF (CRLF, CR, U+2028 and
/// U+2029 too); control characters removed (tab and LF excepted); each run of other whitespace a single space, no
/// space at the end of a line, at most one blank line in a row; nothing around the text. NUL is not removed here:
/// ingest refuses it with its reason instead.
/// </summary>
public static class TextNormalizer
{
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
