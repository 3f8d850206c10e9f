using MathNet.Numerics;

namespace Jobs.Eval;

/// <summary>
/// Agreement of a clustering with reference labels, as scikit-learn defines them: normalised mutual information
/// (arithmetic mean of the entropies), adjusted mutual information (Vinh, Epps and Bailey 2010: expected mutual
/// information under the hypergeometric model, log-factorials from MathNet) and the adjusted Rand index.
/// </summary>
public static class ClusterMetrics
{
    public sealed record Agreement(double Nmi, double Ami, double Ari);

    public static Agreement Compare(IReadOnlyList<string> labels, IReadOnlyList<string> clusters)
    {
        if (labels.Count != clusters.Count) throw new ArgumentException("one cluster per label is needed", nameof(clusters));
        var n = labels.Count;
        var labelIndex = Index(labels);
        var clusterIndex = Index(clusters);
        var table = new long[labelIndex.Count, clusterIndex.Count];
        for (var i = 0; i < n; i++) table[labelIndex[labels[i]], clusterIndex[clusters[i]]]++;
        var a = Sums(table, rows: true);
        var b = Sums(table, rows: false);

        var mi = 0.0;
        for (var i = 0; i < a.Length; i++)
            for (var j = 0; j < b.Length; j++)
                if (table[i, j] > 0) mi += (double)table[i, j] / n * Math.Log((double)n * table[i, j] / ((double)a[i] * b[j]));
        var hLabels = Entropy(a, n);
        var hClusters = Entropy(b, n);
        var mean = (hLabels + hClusters) / 2;
        var nmi = mean == 0 ? 1.0 : mi / mean;
        var emi = ExpectedMutualInformation(a, b, n);
        var ami = mean - emi == 0 ? 1.0 : (mi - emi) / (mean - emi);

        double Pairs(long x) => x * (x - 1) / 2.0;
        var index = 0.0;
        foreach (var cell in table) index += Pairs(cell);
        var rows = a.Sum(Pairs);
        var columns = b.Sum(Pairs);
        var expected = rows * columns / Pairs(n);
        var max = (rows + columns) / 2;
        var ari = max - expected == 0 ? 1.0 : (index - expected) / (max - expected);
        return new Agreement(nmi, ami, ari);
    }

    /// <summary>E[MI] over all contingency tables with the same margins (hypergeometric).</summary>
    public static double ExpectedMutualInformation(long[] a, long[] b, long n)
    {
        var lnN = SpecialFunctions.FactorialLn((int)n);
        var emi = 0.0;
        foreach (var ai in a)
            foreach (var bj in b)
            {
                var fixedPart = SpecialFunctions.FactorialLn((int)ai) + SpecialFunctions.FactorialLn((int)bj)
                    + SpecialFunctions.FactorialLn((int)(n - ai)) + SpecialFunctions.FactorialLn((int)(n - bj)) - lnN;
                for (var nij = Math.Max(1, ai + bj - n); nij <= Math.Min(ai, bj); nij++)
                {
                    var lnP = fixedPart - SpecialFunctions.FactorialLn((int)nij) - SpecialFunctions.FactorialLn((int)(ai - nij))
                        - SpecialFunctions.FactorialLn((int)(bj - nij)) - SpecialFunctions.FactorialLn((int)(n - ai - bj + nij));
                    emi += (double)nij / n * Math.Log((double)n * nij / ((double)ai * bj)) * Math.Exp(lnP);
                }
            }
        return emi;
    }

    private static double Entropy(long[] sizes, long n) =>
        -sizes.Where(s => s > 0).Sum(s => (double)s / n * Math.Log((double)s / n));

    private static Dictionary<string, int> Index(IReadOnlyList<string> values)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in values) index.TryAdd(v, index.Count);
        return index;
    }

    private static long[] Sums(long[,] table, bool rows)
    {
        var sums = new long[table.GetLength(rows ? 0 : 1)];
        for (var i = 0; i < table.GetLength(0); i++)
            for (var j = 0; j < table.GetLength(1); j++) sums[rows ? i : j] += table[i, j];
        return sums;
    }
}
