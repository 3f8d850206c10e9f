using System.Text.RegularExpressions;

namespace Jobs.Theme;

/// <summary>
/// Distinctive words of each theme by class-based TF-IDF (as BERTopic defines it: a theme's passages are one
/// document; weight = tf(t, c) / |c| · log(1 + A / f(t)), A the average word count per theme, f(t) the word's count
/// over all themes), over words and bigrams with English stop words and boilerplate left out.
/// </summary>
public sealed partial class Keywords
{
    private static readonly HashSet<string> StopWords = new(
        """
        a about above after again against all also am an and any are aren't as at be because been before being below
        between both but by can cannot could couldn't did didn't do does doesn't doing don't down during each even ever
        every few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
        herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself just let's
        like made make many may me might more most much must mustn't my myself new no nor not now of off on once one only
        or other ought our ours ourselves out over own per same shall shan't she she'd she'll she's should shouldn't so
        some such than that that's the their theirs them themselves then there there's these they they'd they'll
        they're they've this those though through to too two under until up upon us very was wasn't we we'd we'll we're
        we've were weren't what what's when when's where where's whether which while who who's whom why why's will with
        within without won't would wouldn't yet you you'd you'll you're you've your yours yourself yourselves year
        years also etc et al
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    /// <summary>Names of HTML character references left in text whose ampersand was lost (" quot;"): markup, not words.</summary>
    private static readonly HashSet<string> EntityNames = new(["quot", "amp", "apos", "nbsp", "lt", "gt"], StringComparer.Ordinal);

    /// <summary>Below this many passages every term is allowed, however common (too few to tell boilerplate).</summary>
    private const int BoilerplateMinimumPassages = 50;

    private readonly Dictionary<string, long>[] _counts;
    private readonly long[] _words;
    private readonly Dictionary<string, long> _passagesWith = new(StringComparer.Ordinal);
    private readonly double _maxPassageShare;
    private long _passages;

    /// <param name="themes">Number of themes.</param>
    /// <param name="maxPassageShare">
    /// A term found in more than this share of all passages (every theme together) is boilerplate of the sources
    /// ("said", a news agency's name, a mail footer) and is not a keyword; 1 keeps every term.
    /// </param>
    public Keywords(int themes, double maxPassageShare = 1.0)
    {
        _counts = [.. Enumerable.Range(0, themes).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal))];
        _words = new long[themes];
        _maxPassageShare = maxPassageShare;
    }

    public void Add(int theme, string text) => Add(theme, Terms(text));

    /// <summary>Counts one passage by its <see cref="Terms"/>, read once by a caller that counts them more than once (per window and per period).</summary>
    public void Add(int theme, IEnumerable<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            Count(theme, term);
            if (seen.Add(term)) _passagesWith[term] = _passagesWith.GetValueOrDefault(term) + 1;
        }
        _passages++;
    }

    /// <summary>
    /// The terms a text counts for: lower-cased words of three letters or more that are not stop words or numbers,
    /// and the bigrams of consecutive such words. The evaluation's coherence measure uses the same terms.
    /// </summary>
    public static IEnumerable<string> Terms(string text)
    {
        string? previous = null;
        foreach (Match m in Word().Matches(text))
        {
            var word = m.Value.ToLowerInvariant().Trim('\'', '-');
            var entity = m.Index + m.Length < text.Length && text[m.Index + m.Length] == ';' && EntityNames.Contains(word);
            if (entity || word.Length < 3 || StopWords.Contains(word) || word.All(char.IsDigit))
            {
                previous = null;
                continue;
            }
            yield return word;
            if (previous is not null) yield return previous + " " + word;
            previous = word;
        }
    }

    private void Count(int theme, string term)
    {
        var counts = _counts[theme];
        counts[term] = counts.GetValueOrDefault(term) + 1;
        _words[theme]++;
    }

    /// <summary>The <paramref name="top"/> terms of each theme, most distinctive first.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Top(int top)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var counts in _counts)
            foreach (var (term, n) in counts) total[term] = total.GetValueOrDefault(term) + n;
        var average = _words.Length == 0 ? 1.0 : Math.Max(1.0, _words.Average());
        var commonest = _passages < BoilerplateMinimumPassages ? long.MaxValue : (long)(_maxPassageShare * _passages);
        return [.. _counts.Select((counts, c) => (IReadOnlyList<string>)[.. counts
            .Where(kv => kv.Value >= 2 && _passagesWith[kv.Key] <= commonest)
            .Select(kv => (Term: kv.Key, Weight: (double)kv.Value / Math.Max(1, _words[c]) * Math.Log(1 + average / total[kv.Key])))
            .OrderByDescending(x => x.Weight).ThenBy(x => x.Term, StringComparer.Ordinal)
            .Select(x => x.Term)
            .Where(NotInsideABetterBigram(counts))
            .Take(top)])];
    }

    /// <summary>Drops a word that only appears as part of an already chosen bigram, so keywords do not repeat.</summary>
    private static Func<string, bool> NotInsideABetterBigram(Dictionary<string, long> counts)
    {
        var chosen = new List<string>();
        return term =>
        {
            if (!term.Contains(' ', StringComparison.Ordinal) && chosen.Any(b => b.Split(' ').Contains(term) && counts[b] * 2 >= counts[term])) return false;
            chosen.Add(term);
            return true;
        };
    }

    [GeneratedRegex(@"\p{L}[\p{L}'\-]*")]
    private static partial Regex Word();
}
