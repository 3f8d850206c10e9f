using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>
/// Makes Microsoft.ML.Tokenizers' BERT normalisation match BERT's reference tokenizer, then applies it. Version
/// 2.0.1 deletes tab, LF and CR as control characters (<c>"hello\nworld."</c> became <c>hello ##world .</c>, so words
/// merged at every line break and chunks grew past their token count), and keeps format, private-use and
/// unassigned characters. The reference treats tab, LF, CR and every other whitespace as a separator and drops every
/// other character whose category starts with C; this pass does exactly that before the library's own
/// lower-casing, accent stripping and CJK splitting.
/// </summary>
internal sealed class SeparatingWhitespaceNormalizer(Normalizer bert) : Normalizer
{
    public override string Normalize(string original) => bert.Normalize(Separate(original));

    public override string Normalize(ReadOnlySpan<char> original) => bert.Normalize(Separate(original.ToString()));

    internal static string Separate(string text)
    {
        if (!NeedsWork(text)) return text;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\t' or '\n' or '\r') { result.Append(' '); continue; }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (!IsOther(CharUnicodeInfo.GetUnicodeCategory(text, i))) result.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (IsOther(category)) continue;                       // control, format, private use, unassigned, lone surrogate
            result.Append(char.IsWhiteSpace(c) ? ' ' : c);        // line and paragraph separators, NBSP, em space…
        }
        return result.ToString();
    }

    private static bool NeedsWork(string text)
    {
        foreach (var c in text)
            if (c < ' ' || c >= '\u007f') return true;
        return false;
    }

    private static bool IsOther(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate;
}
