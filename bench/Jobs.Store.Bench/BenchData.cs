namespace Jobs.Store.Bench;

/// <summary>
/// Seeded rows shaped like the serving table's: an id, a day (100 distinct days, so one day keeps 1% of the rows) and a
/// 384-d unit vector drawn around one of 200 centroids (clustered like real embeddings, unlike uniform noise).
/// </summary>
internal sealed class BenchData
{
    public static readonly int Dimensions = Jobs.Contracts.EmbeddingModels.Default.Dimensions;
    public const int Days = 100;
    public static readonly DateOnly FirstDay = new(2024, 1, 1);

    public BenchData(int rows, int queries, int seed = 42)
    {
        var random = new Random(seed);
        var centroids = Enumerable.Range(0, 200).Select(_ => Unit(Gaussian(random, 1.0))).ToArray();
        Ids = new string[rows];
        DaysOf = new DateOnly[rows];
        Vectors = new float[rows][];
        for (var i = 0; i < rows; i++)
        {
            Ids[i] = $"chunk-{i:D8}";
            DaysOf[i] = FirstDay.AddDays(i % Days);
            Vectors[i] = Near(random, centroids[random.Next(centroids.Length)]);
        }
        Queries = Enumerable.Range(0, queries).Select(_ => Near(random, centroids[random.Next(centroids.Length)])).ToArray();
    }

    public string[] Ids { get; }
    public DateOnly[] DaysOf { get; }
    public float[][] Vectors { get; }
    public float[][] Queries { get; }
    public int Count => Ids.Length;

    private static float[] Near(Random random, float[] centroid)
    {
        var noise = Gaussian(random, 0.045);
        for (var d = 0; d < noise.Length; d++) noise[d] += centroid[d];
        return Unit(noise);
    }

    private static float[] Gaussian(Random random, double sigma)
    {
        var v = new float[Dimensions];
        for (var d = 0; d < v.Length; d++)
            v[d] = (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return v;
    }

    private static float[] Unit(float[] v)
    {
        var norm = (float)Math.Sqrt(v.Sum(x => (double)x * x));
        for (var d = 0; d < v.Length; d++) v[d] /= norm;
        return v;
    }
}
