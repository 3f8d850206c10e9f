using Jobs.Theme;

namespace Jobs.Eval;

/// <summary>
/// Quality of the themes' keywords. Coherence: mean NPMI over every pair of a theme's top keywords, with document
/// co-occurrence in the evaluated collection itself (terms as the theme stage counts them: words and bigrams), a
/// pair never seen together scoring -1. Diversity: the share of unique terms among all themes' top keywords.
/// </summary>
public static class TopicMetrics
{
    public static double Npmi(IReadOnlyList<IReadOnlyList<string>> topics, IEnumerable<string> documents)
    {
        var wanted = topics.SelectMany(t => t).ToHashSet(StringComparer.Ordinal);
        var postings = wanted.ToDictionary(t => t, _ => new HashSet<int>(), StringComparer.Ordinal);
        var n = 0;
        foreach (var text in documents)
        {
            foreach (var term in Keywords.Terms(text))
                if (postings.TryGetValue(term, out var docs)) docs.Add(n);
            n++;
        }
        var perTopic = new List<double>();
        foreach (var topic in topics.Where(t => t.Count >= 2))
        {
            var scores = new List<double>();
            for (var i = 0; i < topic.Count; i++)
                for (var j = i + 1; j < topic.Count; j++)
                {
                    var a = postings[topic[i]];
                    var b = postings[topic[j]];
                    var both = a.Count <= b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
                    scores.Add(KeywordCoherence.Npmi(both, a.Count, b.Count, n));
                }
            perTopic.Add(scores.Average());
        }
        return perTopic.Count == 0 ? 0 : perTopic.Average();
    }

    public static double Diversity(IReadOnlyList<IReadOnlyList<string>> topics)
    {
        var all = topics.Sum(t => t.Count);
        return all == 0 ? 0 : (double)topics.SelectMany(t => t).Distinct(StringComparer.Ordinal).Count() / all;
    }
}
