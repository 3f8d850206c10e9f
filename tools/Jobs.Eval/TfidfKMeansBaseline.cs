using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace Jobs.Eval;

/// <summary>
/// The classic baseline the themes must beat: TF-IDF of words (English stop words removed, L2-normalised; ML.NET's
/// text featurizer) clustered by ML.NET k-means (k-means++) into the same number of clusters the theme stage chose.
/// </summary>
public static class TfidfKMeansBaseline
{
    private sealed class Row
    {
        public string Text { get; set; } = "";
    }

    private sealed class Prediction
    {
        [ColumnName("PredictedLabel")]
        public uint Cluster { get; set; }
    }

    public static int[] Cluster(IReadOnlyList<string> texts, int clusters, int seed)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new Row { Text = t }));
        var pipeline = ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.Lower,
                KeepPunctuations = false,
                KeepNumbers = false,
                StopWordsRemoverOptions = new StopWordsRemovingEstimator.Options { Language = TextFeaturizingEstimator.Language.English },
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 1, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf },
                CharFeatureExtractor = null,
                Norm = TextFeaturizingEstimator.NormFunction.L2,
            }, nameof(Row.Text))
            .Append(ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                FeatureColumnName = "Features",
                NumberOfClusters = clusters,
                InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
                MaximumNumberOfIterations = 100,
                NumberOfThreads = 1,
            }));
        var predicted = pipeline.Fit(data).Transform(data);
        return [.. ml.Data.CreateEnumerable<Prediction>(predicted, reuseRowObject: false).Select(p => (int)p.Cluster - 1)];
    }
}
