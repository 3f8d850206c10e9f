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

    public sealed record Fit(int Count, float[][] Centroids, double Silhouette, IReadOnlyDictionary<int, double> SilhouetteByCount);

    public static Fit Choose(IReadOnlyList<float[]> sample, int minThemes, int maxThemes, int seed)
    {
        if (sample.Count < 2) throw new ArgumentException("at least two vectors are needed to find themes", nameof(sample));
        var dims = sample[0].Length;
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Point));
        schema[nameof(Point.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        var data = ml.Data.LoadFromEnumerable(sample.Select(v => new Point { Features = v }), schema);
        IReadOnlyList<float[]> scored = sample.Count <= SilhouettePoints ? sample : [.. sample.Take(SilhouettePoints)]; // the sample is already random
        var distance = Distances(scored);
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
