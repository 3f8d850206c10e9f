using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>
/// Splits normalised text into words as BERT's reference basic tokenizer does: at whitespace, and around each
/// punctuation character (ASCII 33–47, 58–64, 91–96, 123–126, or a Unicode P* character); every other run of
/// characters is a word for WordPiece (which gives [UNK] to what the vocabulary lacks). The library's default,
/// <c>\w+|[\p{P}]</c>, silently drops symbols (<c>+ = $ € ©</c>), emoji and other characters outside its classes and
/// keeps <c>_</c> inside words.
/// </summary>
internal sealed class BertPreTokenizer : PreTokenizer
{
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => Split(text ?? "");

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text.ToString());

    private static List<(int Offset, int Length)> Split(string text)
    {
        var words = new List<(int, int)>();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (char.IsWhiteSpace(text[i]) || IsPunctuation(text, i))
            {
                if (start >= 0) words.Add((start, i - start));
                start = -1;
                if (!char.IsWhiteSpace(text[i])) words.Add((i, width));
            }
            else if (start < 0) start = i;
            i += width - 1;
        }
        if (start >= 0) words.Add((start, text.Length - start));
        return words;
    }

    private static bool IsPunctuation(string text, int i)
    {
        var c = text[i];
        if (c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~') return true;
        return CharUnicodeInfo.GetUnicodeCategory(text, i) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
