using System.Text.RegularExpressions;
using Jobs.Embeddings;
using Microsoft.ML.Tokenizers;

namespace Jobs.Chunk;

/// <summary>
/// The context given to the embedder with each passage, kept apart from the passage's text: the document's title,
/// and, when the text has Markdown headings (<c># Heading</c>), the last heading above the passage, one per line.
/// A context over <c>maxTokens</c> is cut at a word, so context and passage together stay within the model's window.
/// Each context is tokenized once (a cut one again after the cut); its ids go with it for the chunks' model input ids.
/// </summary>
public sealed partial class ChunkContext(BertTokenizer tokenizer, int maxTokens)
{
    private const int MaxContextChars = 2_000; // no title worth its tokens is longer; bounds the cutting below

    /// <summary>The contexts of one document's passages, and the tokens to reserve for the longest of them.</summary>
    public DocumentContext For(string? title, string text)
    {
        title = Clean(title);
        if (maxTokens == 0) return DocumentContext.None;
        var ids = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        var headings = Headings().Matches(text).Select(m => (After: m.Index + m.Length, Context: Fit(Join(title, Clean(m.Groups["h"].Value)), ids))).ToList();
        var plain = Fit(title, ids);
        return new DocumentContext(plain, headings) { Ids = ids };
    }

    private static string? Join(string? title, string? heading) => title is null ? heading : heading is null ? title : title + "\n" + heading;

    private static string? Clean(string? s)
    {
        s = s?.Trim();
        if (string.IsNullOrEmpty(s)) return null;
        return s.Length > MaxContextChars ? s[..(char.IsHighSurrogate(s[MaxContextChars - 1]) ? MaxContextChars - 1 : MaxContextChars)] : s;
    }

    /// <summary>The context, or its longest prefix ending at a word (a character, for one huge word) within the token limit.</summary>
    private string? Fit(string? context, Dictionary<string, IReadOnlyList<int>> known)
    {
        if (context is null) return null;
        if (known.ContainsKey(context)) return context;
        var whole = Encode(context);
        if (whole.Count <= maxTokens)
        {
            known[context] = whole;
            return context;
        }
        var cut = Cut(context);
        if (!known.ContainsKey(cut)) known[cut] = Encode(cut);
        return cut;
    }

    private string Cut(string context)
    {
        var ends = Words().Matches(context).Select(m => m.Index + m.Length).ToList();
        int low = 0, high = ends.Count - 1; // the largest word count that fits
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (Count(context[..ends[middle - 1]]) <= maxTokens) low = middle;
            else high = middle - 1;
        }
        if (low > 0) return context[..ends[low - 1]];
        int shortest = 1, longest = context.Length;
        while (shortest < longest)
        {
            var middle = (shortest + longest + 1) / 2;
            if (Count(context[..middle]) <= maxTokens) shortest = middle;
            else longest = middle - 1;
        }
        if (shortest > 1 && char.IsLowSurrogate(context[shortest])) shortest--;
        return context[..shortest];
    }

    private int Count(string s) => Encode(s).Count;

    private IReadOnlyList<int> Encode(string s) => tokenizer.Pieces(s);

    [GeneratedRegex(@"^[ \t]{0,3}#{1,6}[ \t]+(?<h>[^\n]+?)[ \t#]*$", RegexOptions.Multiline)]
    private static partial Regex Headings();

    [GeneratedRegex(@"\S+")]
    private static partial Regex Words();
}

/// <summary>One document's passage contexts: the title alone, or the title and the last heading before a passage.</summary>
public sealed record DocumentContext(string? Title, IReadOnlyList<(int After, string? Context)> Headings)
{
    public static DocumentContext None { get; } = new(null, []);

    /// <summary>The token ids (no [CLS] or [SEP]) of each context of the document.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> Ids { get; init; } = new Dictionary<string, IReadOnlyList<int>>();

    /// <summary>The tokens to reserve in every passage's window for the longest of the document's contexts.</summary>
    public int ReservedTokens => Ids.Values.Select(i => i.Count).DefaultIfEmpty(0).Max();

    /// <summary>The context of a passage starting at <paramref name="start"/>.</summary>
    public string? At(int start)
    {
        var context = Title;
        foreach (var (after, c) in Headings)
        {
            if (after > start) break;
            context = c;
        }
        return context;
    }
}
