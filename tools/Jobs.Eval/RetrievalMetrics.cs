namespace Jobs.Eval;

/// <summary>
/// trec_eval's definitions: nDCG@k with linear gain (the qrels' grade) and log2(rank + 1) discount over the ranked
/// documents, normalised by the ideal ordering of the judged ones; Recall@k = relevant found in the top k / all
/// relevant. A query without relevant documents is not scored.
/// </summary>
public static class RetrievalMetrics
{
    public static double Ndcg(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judged, int k)
    {
        double dcg = 0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++)
            if (judged.TryGetValue(ranked[i], out var grade) && grade > 0) dcg += grade / Math.Log2(i + 2);
        var ideal = judged.Values.Where(g => g > 0).OrderDescending().Take(k).Select((g, i) => g / Math.Log2(i + 2)).Sum();
        return ideal == 0 ? 0 : dcg / ideal;
    }

    public static double Recall(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judged, int k)
    {
        var relevant = judged.Count(kv => kv.Value > 0);
        return relevant == 0 ? 0 : (double)ranked.Take(k).Count(d => judged.TryGetValue(d, out var g) && g > 0) / relevant;
    }

    public static double Percentile(IReadOnlyList<double> values, double p) => Jobs.Contracts.Percentile.NearestRank(values, p);
}
