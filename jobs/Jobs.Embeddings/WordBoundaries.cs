using System.Globalization;

namespace Jobs.Embeddings;

/// <summary>
/// Where the project's WordPiece tokenizer always starts a new word: the characters its normaliser turns into a space
/// (tab, LF, CR and the Unicode separators; see <see cref="SeparatingWhitespaceNormalizer"/>). Other control characters
/// (vertical tab, form feed, NEL) are deleted, not separators, so the words around them merge. Text cut at these
/// characters tokenizes piece by piece to the same ids as whole: the ids of a run of words are their ids concatenated.
/// </summary>
public static class WordBoundaries
{
    /// <summary>A word: a maximal run of characters that are not separators.</summary>
    public const string WordPattern = @"[^\t\n\r\p{Z}]+";

    public static bool IsSeparator(char c) => c is '\t' or '\n' or '\r'
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
