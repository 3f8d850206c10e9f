using System.Text.RegularExpressions;
using Jobs.Embeddings;
using Microsoft.ML.Tokenizers;

namespace Jobs.Chunk;

/// <summary>A passage of a text: its character range and its exact token count under the model's tokenizer.</summary>
public sealed record TextSpan(int Start, int End, int TokenCount)
{
    /// <summary>The passage's token ids (no [CLS] or [SEP]): what the tokenizer gives for the passage's text.</summary>
    public IReadOnlyList<int> Ids { get; init; } = [];
}

/// <summary>
/// Splits text into overlapping passages that fit the embedding model: windows of whole words whose WordPiece
/// tokens stay within <c>maxTokens</c> (less [CLS] and [SEP]), ending at a sentence boundary when one is in the
/// window's second half, and overlapping the previous window by about <c>overlapTokens</c>. Each word is tokenized
/// once; a passage's ids are its words' ids concatenated (the tokenizer never joins words across a separator, see
/// <see cref="WordBoundaries"/>), except across the pieces of a word too long for one passage, which are tokenized
/// together again where two of them share a passage.
/// </summary>
public sealed partial class TextChunker
{
    private readonly BertTokenizer _tokenizer;
    private readonly int _budget;
    private readonly int _overlap;

    /// <param name="reservedTokens">Tokens the embedder adds to each chunk besides [CLS] and [SEP] (the model's document prefix).</param>
    public TextChunker(BertTokenizer tokenizer, int maxTokens = 256, int overlapTokens = 32, int reservedTokens = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 8);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapTokens, maxTokens / 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reservedTokens, maxTokens / 2);
        _tokenizer = tokenizer;
        _budget = maxTokens - 2 - reservedTokens;
        _overlap = overlapTokens;
    }

    public IReadOnlyList<TextSpan> Split(string text) => Split(text, 0);

    /// <param name="contextTokens">Tokens of the context the embedder reads before each passage of this text (its title): they count against the window.</param>
    public IReadOnlyList<TextSpan> Split(string text, int contextTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contextTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(contextTokens, _budget / 2);
        var budget = _budget - contextTokens;
        var words = Words().Matches(text).SelectMany((m, w) => Pieces(text, m.Index, m.Index + m.Length, w, budget)).ToList();
        var spans = new List<TextSpan>();
        var i = 0;
        while (i < words.Count)
        {
            var j = i;
            var sum = 0;
            while (j < words.Count && sum + words[j].Ids.Count <= budget) sum += words[j++].Ids.Count;
            if (j == i) j = i + 1; // cannot happen: no piece is over the budget
            if (j < words.Count)
                for (var k = j; k > i + (j - i) / 2; k--)
                    if (EndsSentence(text, words[k - 1].End)) { j = k; break; }
            var ids = Join(text, words, i, j);
            while (ids.Count > budget && j - i > 1) ids = Join(text, words, i, --j); // pieces of one word may tokenize longer together
            spans.Add(new TextSpan(words[i].Index, words[j - 1].End, ids.Count) { Ids = ids });
            if (j >= words.Count) break;
            var next = j;
            var overlap = 0;
            while (next - 1 > i && overlap + words[next - 1].Ids.Count <= _overlap) overlap += words[--next].Ids.Count;
            i = next;
        }
        return spans;
    }

    /// <summary>
    /// The ids of words[i..j)'s text: each word's ids in turn, except that consecutive pieces of one cut word are
    /// tokenized together (their text has no separator between them, so their ids are not their pieces' ids).
    /// </summary>
    private List<int> Join(string text, List<Piece> words, int i, int j)
    {
        var ids = new List<int>();
        for (var k = i; k < j; k++)
        {
            var last = k;
            while (last + 1 < j && words[last + 1].Word == words[k].Word) last++;
            ids.AddRange(last == k ? words[k].Ids : Encode(text[words[k].Index..words[last].End]));
            k = last;
        }
        return ids;
    }

    /// <summary>A word, or a piece of a word too long for one passage, with its ids; <c>Word</c> numbers the word.</summary>
    private readonly record struct Piece(int Index, int End, int Word, IReadOnlyList<int> Ids);

    /// <summary>
    /// The word as one piece, or, when it alone is over the budget (a URL, a base64 blob, a run without spaces), cut
    /// into the longest prefixes that fit, so that no chunk is ever over the model's window.
    /// </summary>
    private IEnumerable<Piece> Pieces(string text, int start, int end, int word, int budget)
    {
        var ids = Encode(text[start..end]);
        if (ids.Count <= budget)
        {
            yield return new Piece(start, end, word, ids);
            yield break;
        }
        while (start < end)
        {
            // Galloping, then bisecting: each probe tokenizes at most about twice the piece, never the rest of the word,
            // so a megabyte without spaces costs O(n log n) characters tokenized, not O(n²).
            int low = start + 1, probe = Math.Min(end, start + (_budget * 4));
            bool fits;
            while ((fits = Count(text[start..probe]) <= _budget) && probe < end)
            {
                low = probe;
                probe = Math.Min(end, start + ((probe - start) * 2));
            }
            var high = fits ? probe : probe - 1;
            if (fits) low = probe;
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (Count(text[start..middle]) <= budget) low = middle;
                else high = middle - 1;
            }
            var cut = low < end && char.IsLowSurrogate(text[low]) && low - 1 > start ? low - 1 : low;
            yield return new Piece(start, cut, word, Encode(text[start..cut]));
            start = cut;
        }
    }

    private int Count(string s) => Encode(s).Count;

    private IReadOnlyList<int> Encode(string s) => _tokenizer.Pieces(s);

    private static bool EndsSentence(string text, int end) => end > 0 && text[end - 1] is '.' or '!' or '?' or ':' or ';' or '"';

    [GeneratedRegex(WordBoundaries.WordPattern)]
    private static partial Regex Words();
}
