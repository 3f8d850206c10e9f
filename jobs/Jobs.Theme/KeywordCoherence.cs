namespace Jobs.Theme;

/// <summary>
/// Picks each theme's keywords among its best class-based TF-IDF candidates so that they belong together: greedily,
/// the next keyword maximises its c-TF-IDF rank prior plus its mean NPMI (normalised pointwise mutual information, by
/// passage co-occurrence over the whole window) with the keywords already chosen. A distinctive word that never
/// appears with the others ("fullquote", a name seen twice) gives way to one that does, so a label reads as a subject.
/// Memory is bounded by the candidates (pair counts per theme), not by the window.
/// </summary>
public sealed class KeywordCoherence
{
    /// <summary>Weight of the c-TF-IDF rank against coherence: the first candidate gets this much, the last almost none.</summary>
    public const double RankWeight = 0.5;

    private readonly IReadOnlyList<IReadOnlyList<string>> _candidates;
    private readonly Dictionary<string, List<(int Theme, int Index)>> _where = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _passagesWith = new(StringComparer.Ordinal);
    private readonly long[][,] _pairs;
    private long _passages;

    public KeywordCoherence(IReadOnlyList<IReadOnlyList<string>> candidates)
    {
        _candidates = candidates;
        _pairs = [.. candidates.Select(c => new long[c.Count, c.Count])];
        for (var t = 0; t < candidates.Count; t++)
            for (var i = 0; i < candidates[t].Count; i++)
            {
                if (!_where.TryGetValue(candidates[t][i], out var list)) _where[candidates[t][i]] = list = [];
                list.Add((t, i));
            }
    }

    /// <summary>Counts one passage of the window (every passage, whatever its theme).</summary>
    public void Add(string text)
    {
        _passages++;
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in Keywords.Terms(text))
            if (_where.ContainsKey(term)) present.Add(term);
        if (present.Count == 0) return;
        var byTheme = new Dictionary<int, List<int>>();
        foreach (var term in present)
        {
            _passagesWith[term] = _passagesWith.GetValueOrDefault(term) + 1;
            foreach (var (theme, index) in _where[term])
            {
                if (!byTheme.TryGetValue(theme, out var indices)) byTheme[theme] = indices = [];
                indices.Add(index);
            }
        }
        foreach (var (theme, indices) in byTheme)
            for (var a = 0; a < indices.Count; a++)
                for (var b = a + 1; b < indices.Count; b++)
                {
                    _pairs[theme][indices[a], indices[b]]++;
                    _pairs[theme][indices[b], indices[a]]++;
                }
    }

    /// <summary>NPMI of two candidates of a theme: 1 always together, 0 independent, -1 never together.</summary>
    public double Npmi(int theme, int a, int b) => Npmi(_pairs[theme][a, b], _passagesWith.GetValueOrDefault(_candidates[theme][a]),
        _passagesWith.GetValueOrDefault(_candidates[theme][b]), _passages);

    /// <summary>
    /// Normalised PMI from passage counts: <paramref name="both"/> passages with both terms, <paramref name="a"/> and
    /// <paramref name="b"/> with each, of <paramref name="passages"/>; -1 when never together, 1 when always.
    /// </summary>
    public static double Npmi(long both, long a, long b, long passages)
    {
        if (both == 0 || passages == 0) return -1;
        var pab = (double)both / passages;
        if (pab >= 1) return 1;
        return Math.Log(pab / ((double)a / passages * ((double)b / passages))) / -Math.Log(pab);
    }

    /// <summary>The <paramref name="top"/> keywords of each theme, the best c-TF-IDF candidate first.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Choose(int top) => [.. _candidates.Select((candidates, t) =>
    {
        if (candidates.Count == 0) return (IReadOnlyList<string>)[];
        var chosen = new List<int> { 0 };
        var left = Enumerable.Range(1, candidates.Count - 1).ToList();
        while (chosen.Count < top && left.Count > 0)
        {
            var next = left.MaxBy(i => RankWeight * (1 - (double)i / candidates.Count) + chosen.Average(c => Npmi(t, c, i)));
            chosen.Add(next);
            left.Remove(next);
        }
        return (IReadOnlyList<string>)[.. chosen.Select(i => candidates[i])];
    })];
}
