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

    public TextChunker(BertTokenizer tokenizer, int maxTokens = 256, int overlapTokens = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 8);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapTokens, maxTokens / 2);
        _tokenizer = tokenizer;
        _budget = maxTokens - 2;
        _overlap = overlapTokens;
    }

    public IReadOnlyList<TextSpan> Split(string text)
    {
        var words = Words().Matches(text).Select(m => (m.Index, End: m.Index + m.Length, Tokens: Count(m.Value))).ToList();
        var spans = new List<TextSpan>();
        var i = 0;
        while (i < words.Count)
        {
            var j = i;
            var sum = 0;
            while (j < words.Count && sum + words[j].Tokens <= _budget) sum += words[j++].Tokens;
            if (j == i) j = i + 1; // a single word longer than the budget: the embedder truncates it
            if (j < words.Count)
                for (var k = j; k > i + (j - i) / 2; k--)
                    if (EndsSentence(text, words[k - 1].End)) { j = k; break; }
            var start = words[i].Index;
            var end = words[j - 1].End;
            spans.Add(new TextSpan(start, end, Count(text[start..end])));
            if (j >= words.Count) break;
            var next = j;
            var overlap = 0;
            while (next - 1 > i && overlap + words[next - 1].Tokens <= _overlap) overlap += words[--next].Tokens;
            i = next;
        }
        return spans;
    }

    private int Count(string s) => _tokenizer.EncodeToIds(s, int.MaxValue, addSpecialTokens: false, out _, out _).Count;

    private static bool EndsSentence(string text, int end) => end > 0 && text[end - 1] is '.' or '!' or '?' or ':' or ';' or '"';

    [GeneratedRegex(@"\S+")]
    private static partial Regex Words();
}
