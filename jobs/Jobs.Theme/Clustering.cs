using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Jobs.Theme;

/// <summary>
/// Fits themes on a sample of unit vectors with ML.NET's k-means (k-means++ initialisation; on unit vectors the
/// Euclidean objective is the cosine one), for every count in a range, and keeps the count with the best mean
/// silhouette (cosine distance) on at most <see cref="SilhouettePoints"/> sampled points. Centroids come back unit-length.
/// </summary>
public static class Clustering
{
    public const int SilhouettePoints = 1500;

    private sealed class Point
    {
        public float[] Features { get; set; } = [];
    }

    /// <param name="Warm">Started from the previous run's centroids rather than fitted afresh.</param>
    public sealed record Fit(int Count, float[][] Centroids, double Silhouette, IReadOnlyDictionary<int, double> SilhouetteByCount, bool Warm = false);

    /// <summary>
    /// A warm start may lose this much silhouette against a fresh fit and still be preferred: ids that stay put are
    /// worth more to a reader of themes over time than a marginally better partition.
    /// </summary>
    public const double StabilityTolerance = 0.02;

    /// <summary>
    /// The best fit of a fresh k-means (ML.NET) and, when the previous run's centroids are given, of a warm start from
    /// them (<see cref="Refine"/>); the warm start wins unless its silhouette is more than <see cref="StabilityTolerance"/>
    /// below the fresh one, so existing themes keep their place when new data adds a theme or shifts the others.
    /// </summary>
    public static Fit Choose(IReadOnlyList<float[]> sample, int minThemes, int maxThemes, int seed, IReadOnlyList<float[]> previous)
    {
        var scored = Scored(sample);
        var distance = Distances(scored);
        var fresh = Choose(sample, minThemes, maxThemes, seed, scored, distance);
        var usable = previous.Where(p => p.Length == sample[0].Length).ToList();
        if (usable.Count == 0) return fresh;
        Fit? warm = null;
        var byCount = new Dictionary<int, double>();
        for (var k = minThemes; k <= Math.Min(maxThemes, sample.Count - 1); k++)
        {
            var centroids = Refine(sample, usable, k, seed);
            var silhouette = Silhouette(scored, distance, centroids);
            byCount[centroids.Length] = silhouette;
            if (warm is null || silhouette > warm.Silhouette) warm = new Fit(centroids.Length, centroids, silhouette, byCount);
        }
        return warm is not null && warm.Silhouette >= fresh.Silhouette - StabilityTolerance ? warm with { SilhouetteByCount = byCount, Warm = true } : fresh;
    }

    /// <summary>
    /// Spherical k-means (Lloyd's iterations on unit vectors) started from the previous centroids (those with the most
    /// sample points nearest, when there are more than <paramref name="k"/>) plus k-means++ seeds for the remaining
    /// slots; a cluster left empty is dropped, so a theme that vanished from the data does not linger. ML.NET's trainer
    /// takes no initial centroids, hence this loop.
    /// </summary>
    public static float[][] Refine(IReadOnlyList<float[]> sample, IReadOnlyList<float[]> previous, int k, int seed)
    {
        var random = new Random(seed);
        var support = new int[previous.Count];
        foreach (var v in sample) support[Nearest(v, [.. previous]).Theme]++;
        var centers = previous.Select((c, i) => (c, i)).OrderByDescending(x => support[x.i]).ThenBy(x => x.i).Take(k).Select(x => x.c).ToList();
        var nearest = sample.Select(v => Nearest(v, [.. centers]).Similarity).ToArray();
        while (centers.Count < k)
        {
            // k-means++: the next seed with probability proportional to its squared distance to the chosen ones.
            var weights = nearest.Select(s => Math.Max(0, 2 - 2 * s)).ToArray();
            var pick = random.NextDouble() * weights.Sum();
            var next = 0;
            for (; next < weights.Length - 1 && pick > weights[next]; next++) pick -= weights[next];
            centers.Add(sample[next]);
            for (var i = 0; i < sample.Count; i++) nearest[i] = Math.Max(nearest[i], Dot(sample[i], sample[next]));
        }
        var current = centers.ToArray();
        var labels = new int[sample.Count];
        for (var iteration = 0; iteration < 100; iteration++)
        {
            var changed = false;
            for (var i = 0; i < sample.Count; i++)
            {
                var theme = Nearest(sample[i], current).Theme;
                changed |= iteration == 0 || theme != labels[i];
                labels[i] = theme;
            }
            var sums = new double[current.Length][];
            for (var c = 0; c < current.Length; c++) sums[c] = new double[current[c].Length];
            var counts = new int[current.Length];
            for (var i = 0; i < sample.Count; i++)
            {
                counts[labels[i]]++;
                var sum = sums[labels[i]];
                for (var d = 0; d < sum.Length; d++) sum[d] += sample[i][d];
            }
            current = [.. Enumerable.Range(0, current.Length).Where(c => counts[c] > 0).Select(c => Unit([.. sums[c].Select(x => (float)x)]))];
            if (!changed && current.Length == counts.Length) break;
        }
        return current;
    }

    public static Fit Choose(IReadOnlyList<float[]> sample, int minThemes, int maxThemes, int seed)
    {
        var scored = Scored(sample);
        return Choose(sample, minThemes, maxThemes, seed, scored, Distances(scored));
    }

    /// <summary>The points the silhouette is measured on: at most <see cref="SilhouettePoints"/> of the (already random) sample.</summary>
    private static IReadOnlyList<float[]> Scored(IReadOnlyList<float[]> sample) =>
        sample.Count <= SilhouettePoints ? sample : [.. sample.Take(SilhouettePoints)];

    /// <summary>The fresh fit, scored on points whose pairwise distances the caller computed once.</summary>
    private static Fit Choose(IReadOnlyList<float[]> sample, int minThemes, int maxThemes, int seed, IReadOnlyList<float[]> scored, double[,] distance)
    {
        if (sample.Count < 2) throw new ArgumentException("at least two vectors are needed to find themes", nameof(sample));
        var dims = sample[0].Length;
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Point));
        schema[nameof(Point.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        var data = ml.Data.LoadFromEnumerable(sample.Select(v => new Point { Features = v }), schema);
        var byCount = new Dictionary<int, double>();
        Fit? best = null;
        for (var k = minThemes; k <= Math.Min(maxThemes, sample.Count - 1); k++)
        {
            var model = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                FeatureColumnName = nameof(Point.Features),
                NumberOfClusters = k,
                InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
                MaximumNumberOfIterations = 100,
                NumberOfThreads = 1, // deterministic for a given seed
            }).Fit(data);
            VBuffer<float>[] raw = [];
            model.Model.GetClusterCentroids(ref raw, out var found);
            var centroids = raw.Take(found).Select(c => Unit(c.DenseValues().ToArray())).ToArray();
            var silhouette = Silhouette(scored, distance, centroids);
            byCount[k] = silhouette;
            if (best is null || silhouette > best.Silhouette) best = new Fit(k, centroids, silhouette, byCount);
        }
        return best! with { SilhouetteByCount = byCount };
    }

    /// <summary>The nearest centroid and its cosine similarity (vectors and centroids are unit length).</summary>
    public static (int Theme, double Similarity) Nearest(float[] vector, float[][] centroids)
    {
        var bestTheme = 0;
        var best = double.NegativeInfinity;
        for (var c = 0; c < centroids.Length; c++)
        {
            var s = Dot(vector, centroids[c]);
            if (s > best) (best, bestTheme) = (s, c);
        }
        return (bestTheme, best);
    }

    /// <summary>Cosine distances between every pair of points, computed once for every count tried.</summary>
    public static double[,] Distances(IReadOnlyList<float[]> points)
    {
        var d = new double[points.Count, points.Count];
        for (var i = 0; i < points.Count; i++)
            for (var j = i + 1; j < points.Count; j++)
                d[i, j] = d[j, i] = 1 - Dot(points[i], points[j]);
        return d;
    }

    /// <summary>Mean silhouette with cosine distance, each point in its nearest centroid's cluster.</summary>
    public static double Silhouette(IReadOnlyList<float[]> points, double[,] distance, float[][] centroids)
    {
        var labels = points.Select(p => Nearest(p, centroids).Theme).ToArray();
        var sizes = new int[centroids.Length];
        foreach (var l in labels) sizes[l]++;
        double sum = 0;
        var distances = new double[centroids.Length];
        for (var i = 0; i < points.Count; i++)
        {
            Array.Clear(distances);
            for (var j = 0; j < points.Count; j++)
                if (j != i) distances[labels[j]] += distance[i, j];
            var own = labels[i];
            if (sizes[own] <= 1) continue; // a singleton's silhouette is 0
            var a = distances[own] / (sizes[own] - 1);
            var b = double.PositiveInfinity;
            for (var c = 0; c < centroids.Length; c++)
                if (c != own && sizes[c] > 0) b = Math.Min(b, distances[c] / sizes[c]);
            if (double.IsFinite(b)) sum += (b - a) / Math.Max(a, b);
        }
        return sum / points.Count;
    }

    public static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    public static float[] Unit(float[] v)
    {
        var norm = Math.Sqrt(Dot(v, v));
        return norm == 0 ? v : [.. v.Select(x => (float)(x / norm))];
    }
}
