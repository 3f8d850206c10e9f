namespace Jobs.Theme;

/// <summary>
/// Stable theme ids: this run's themes are matched to the previous run's (the latest window at or before this one)
/// by centroid similarity, most similar pairs first, each previous theme used once; a match keeps its id, a new theme
/// gets a new id, and a previous theme left unmatched has ended.
/// </summary>
public static class ThemeMatcher
{
    public sealed record Previous(string Id, float[] Centroid);

    public static (string?[] Ids, IReadOnlyList<Previous> Ended) Match(float[][] centroids, IReadOnlyList<Previous> previous, double minSimilarity)
    {
        var pairs = new List<(int Current, int Previous, double Similarity)>();
        for (var c = 0; c < centroids.Length; c++)
            for (var p = 0; p < previous.Count; p++)
                if (previous[p].Centroid.Length == centroids[c].Length && Clustering.Dot(centroids[c], previous[p].Centroid) is var s && s >= minSimilarity)
                    pairs.Add((c, p, s));
        var ids = new string?[centroids.Length];
        var used = new bool[previous.Count];
        foreach (var (c, p, _) in pairs.OrderByDescending(x => x.Similarity).ThenBy(x => x.Current).ThenBy(x => x.Previous))
        {
            if (ids[c] is not null || used[p]) continue;
            ids[c] = previous[p].Id;
            used[p] = true;
        }
        return (ids, [.. previous.Where((_, p) => !used[p])]);
    }
}
