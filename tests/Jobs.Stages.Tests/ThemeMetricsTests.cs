using Jobs.Eval;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>The theme evaluation's measures on inputs whose values are known (scikit-learn's definitions).</summary>
public sealed class ThemeMetricsTests
{
    [Fact]
    public void Agreement_OfIdenticalPartitions_IsOne_AndIgnoresClusterNames()
    {
        var a = ClusterMetrics.Compare(["x", "x", "y", "y", "z"], ["2", "2", "0", "0", "1"]);
        Assert.Equal(1.0, a.Nmi, 9);
        Assert.Equal(1.0, a.Ami, 9);
        Assert.Equal(1.0, a.Ari, 9);
    }

    [Fact]
    public void Agreement_OfARefinement_MatchesTheClosedForms()
    {
        // Clusters split one label in two: MI = H(labels) = ln 2, H(clusters) = 1.5 ln 2, so NMI = ln 2 / 1.25 ln 2 = 0.8;
        // ARI = 4/7 (scikit-learn's documented example adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) = 0.5714...).
        var a = ClusterMetrics.Compare(["0", "0", "1", "1"], ["0", "0", "1", "2"]);
        Assert.Equal(0.8, a.Nmi, 9);
        Assert.Equal(4.0 / 7, a.Ari, 9);
        Assert.InRange(a.Ami, 0, a.Nmi); // chance-corrected: below the NMI
    }

    [Fact]
    public void Agreement_WithAClusterPerItem_HasNoAdjustedInformation()
    {
        var a = ClusterMetrics.Compare(["0", "0", "0", "0"], ["0", "1", "2", "3"]);
        Assert.Equal(0.0, a.Ami, 9);
        Assert.Equal(0.0, a.Ari, 9);
    }

    [Fact]
    public void ExpectedMutualInformation_OfRandomLabellings_IsNearTheMeanOverShuffles()
    {
        var random = new Random(7);
        var labels = Enumerable.Range(0, 60).Select(i => (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var clusters = Enumerable.Range(0, 60).Select(i => (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var sum = 0.0;
        const int shuffles = 2000;
        for (var s = 0; s < shuffles; s++)
        {
            random.Shuffle(clusters);
            var a = ClusterMetrics.Compare(labels, clusters);
            sum += a.Ami;
        }
        Assert.InRange(sum / shuffles, -0.02, 0.02); // AMI is 0 in expectation for independent labellings
    }

    [Fact]
    public void Npmi_IsOneForWordsAlwaysTogether_AndMinusOneForWordsNeverTogether()
    {
        string[] documents = ["rocket launch orbit", "rocket launch orbit", "election ballot", "election ballot", "weather"];
        Assert.Equal(1.0, TopicMetrics.Npmi([["rocket", "orbit"]], documents), 9);
        Assert.Equal(-1.0, TopicMetrics.Npmi([["rocket", "ballot"]], documents), 9);
        Assert.Equal(0.75, TopicMetrics.Diversity([["rocket", "orbit"], ["rocket", "ballot"]]), 9);
    }
}
