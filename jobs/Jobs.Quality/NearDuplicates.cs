using System.Numerics;

namespace Jobs.Quality;

/// <summary>
/// The share of vectors that have a near duplicate (cosine ≥ the similarity) among a seeded reservoir sample of the
/// chunk's vectors: all pairs of the sample are compared, so the cost is bounded by the sample size, not the chunk.
/// </summary>
internal sealed class NearDuplicates(int sampleSize, double similarity, int seed)
{
    private readonly List<(string Id, float[] Vector)> _sample = [];
    private readonly Random _random = new(seed);
    private long _seen;

    public void Offer(string id, float[] vector)
    {
        _seen++;
        if (_sample.Count < sampleSize) _sample.Add((id, vector));
        else if (_random.NextInt64(_seen) is var slot && slot < sampleSize) _sample[(int)slot] = (id, vector);
    }

    /// <returns>The share of sampled vectors with a near duplicate in the sample, a few pairs, and the sample size.</returns>
    public (double Share, SampleTally Pairs, long Sampled) Measure(int keep)
    {
        var pairs = new SampleTally(keep);
        if (_sample.Count < 2) return (0, pairs, _sample.Count);
        var norms = _sample.Select(s => Math.Sqrt(Dot(s.Vector, s.Vector))).ToArray();
        var near = new bool[_sample.Count];
        for (var i = 0; i < _sample.Count; i++)
            for (var j = i + 1; j < _sample.Count; j++)
            {
                if (norms[i] == 0 || norms[j] == 0) continue;
                if (Dot(_sample[i].Vector, _sample[j].Vector) / (norms[i] * norms[j]) < similarity) continue;
                if (!near[i] || !near[j]) pairs.Fail($"{_sample[i].Id}~{_sample[j].Id}");
                near[i] = near[j] = true;
            }
        return ((double)near.Count(n => n) / _sample.Count, pairs, _sample.Count);
    }

    private static double Dot(float[] a, float[] b)
    {
        var width = Vector<float>.Count;
        var acc = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - width; i += width) acc += new Vector<float>(a, i) * new Vector<float>(b, i);
        double sum = Vector.Sum(acc);
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
