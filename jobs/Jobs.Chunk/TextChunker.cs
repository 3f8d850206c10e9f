using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Jobs.Chunk;

/// <summary>A passage of a text: its character range and its exact token count under the model's tokenizer.</summary>
public sealed record TextSpan(int Start, int End, int TokenCount);

/// <summary>
/// Splits text into overlapping passages that fit the embedding model: windows of whole words whose WordPiece
/// tokens stay within <c>maxTokens</c> (less [CLS] and [SEP]), ending at a sentence boundary when one is in the
/// window's second half, and overlapping the previous window by about <c>overlapTokens</c>.
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
        var words = Words().Matches(text).SelectMany(m => Pieces(text, m.Index, m.Index + m.Length, budget)).ToList();
        var spans = new List<TextSpan>();
        var i = 0;
        while (i < words.Count)
        {
            var j = i;
            var sum = 0;
            while (j < words.Count && sum + words[j].Tokens <= budget) sum += words[j++].Tokens;
            if (j == i) j = i + 1; // cannot happen: no piece is over the budget
            if (j < words.Count)
                for (var k = j; k > i + (j - i) / 2; k--)
                    if (EndsSentence(text, words[k - 1].End)) { j = k; break; }
            var start = words[i].Index;
            var count = Count(text[start..words[j - 1].End]);
            while (count > budget && j - i > 1) count = Count(text[start..words[--j - 1].End]); // pieces of one word may tokenize longer together
            var end = words[j - 1].End;
            spans.Add(new TextSpan(start, end, count));
            if (j >= words.Count) break;
            var next = j;
            var overlap = 0;
            while (next - 1 > i && overlap + words[next - 1].Tokens <= _overlap) overlap += words[--next].Tokens;
            i = next;
        }
        return spans;
    }

    /// <summary>
    /// The word as one piece, or, when it alone is over the budget (a URL, a base64 blob, a run without spaces), cut
    /// into the longest prefixes that fit, so that no chunk is ever over the model's window.
    /// </summary>
    private IEnumerable<(int Index, int End, int Tokens)> Pieces(string text, int start, int end, int budget)
    {
        var tokens = Count(text[start..end]);
        if (tokens <= budget)
        {
            yield return (start, end, tokens);
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
            yield return (start, cut, Count(text[start..cut]));
            start = cut;
        }
    }

    private int Count(string s) => _tokenizer.EncodeToIds(s, int.MaxValue, addSpecialTokens: false, out _, out _).Count;

    private static bool EndsSentence(string text, int end) => end > 0 && text[end - 1] is '.' or '!' or '?' or ':' or ';' or '"';

    [GeneratedRegex(@"\S+")]
    private static partial Regex Words();
}
