using Jobs.Eval;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>The evaluation's metrics against values computed by hand with trec_eval's definitions.</summary>
public sealed class RetrievalMetricsTests
{
    private static readonly Dictionary<string, int> Judged = new() { ["b"] = 1, ["d"] = 1, ["x"] = 0 };

    [Fact]
    public void Ndcg_OneOfTwoRelevantAtRankTwo_IsDcgOverIdealDcg()
    {
        // DCG = 1/log2(3); ideal = 1/log2(2) + 1/log2(3); an unjudged or zero-graded document adds nothing.
        var expected = (1 / Math.Log2(3)) / (1 + 1 / Math.Log2(3));
        Assert.Equal(expected, RetrievalMetrics.Ndcg(["a", "b", "x"], Judged, 10), 12);
        Assert.Equal(1.0, RetrievalMetrics.Ndcg(["b", "d", "a"], Judged, 10), 12);
        Assert.Equal(0.0, RetrievalMetrics.Ndcg(["a", "c", "b"], Judged, 2), 12); // b is past the cut-off
    }

    [Fact]
    public void Ndcg_UsesLinearGain()
    {
        var graded = new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 };
        Assert.Equal((1 + 2 / Math.Log2(3)) / (2 + 1 / Math.Log2(3)), RetrievalMetrics.Ndcg(["b", "a"], graded, 10), 12);
    }

    [Fact]
    public void Recall_CountsRelevantFoundWithinK()
    {
        Assert.Equal(0.5, RetrievalMetrics.Recall(["a", "b", "c"], Judged, 10));
        Assert.Equal(0.0, RetrievalMetrics.Recall(["a", "b"], Judged, 1));
        Assert.Equal(1.0, RetrievalMetrics.Recall(["d", "b"], Judged, 2));
    }

    [Fact]
    public void Percentile_IsTheNearestRank()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();
        Assert.Equal(50, RetrievalMetrics.Percentile(values, 50));
        Assert.Equal(99, RetrievalMetrics.Percentile(values, 99));
        Assert.Equal(100, RetrievalMetrics.Percentile(values, 100));
    }
}
