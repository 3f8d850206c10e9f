using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Tables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Jobs.Embed.Bench;

/// <summary>
/// The embed stage as a pod runs it (JobRunner: options, validation, logging, Delta read and commit), with one
/// change: the generator is the one already loaded, so the timing holds no model load.
/// </summary>
public sealed class StageRunner(string lake, int batchSize, int threads, IEmbeddingGenerator<string, Embedding<float>> generator, string work)
{
    public async Task RunAsync()
    {
        var settings = new JobRunnerSettings
        {
            LogOutput = TextWriter.Null,
            JsonLogs = true,
            HandleSignals = false,
            Output = TextWriter.Null,
            TerminationLogPath = Path.Combine(work, "termination-log"),
            ConfigureServices = services => services.AddSingleton(generator),
        };
        string[] args = ["--start", BenchCorpus.Day.ToString("O"), "--end", BenchCorpus.Day.AddDays(1).ToString("O"), "--lake", lake,
            "--full-refresh", "--batch-size", batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var code = await JobRunner.RunAsync(new EmbedStage(), args, settings);
        if (code != ExitCodes.Success) throw new InvalidOperationException($"the embed stage exited {code}");
    }

    /// <summary>The largest component difference between the stage's stored vectors and the bare loop's normalised [CLS] states.</summary>
    public async Task<float> LargestDifferenceAsync(BareOnnxLoop bare, IReadOnlyList<BenchChunk[]> batches)
    {
        var vectors = bare.Run(batches);
        var ids = batches.SelectMany(b => b).Select(c => c.Row.ChunkId).ToList();
        var stored = new Dictionary<string, float[]>(StringComparer.Ordinal);
        await foreach (var row in new DeltaTable<EmbeddingRow>(lake, LakeTables.Embeddings).ReadAsync(PartitionPredicate.All)) stored[row.ChunkId] = row.Embedding;
        var largest = 0f;
        for (var i = 0; i < ids.Count; i++)
        {
            var v = vectors[i];
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            var s = stored[ids[i]];
            for (var d = 0; d < v.Length; d++) largest = Math.Max(largest, Math.Abs(v[d] / norm - s[d]));
        }
        return largest;
    }
}
