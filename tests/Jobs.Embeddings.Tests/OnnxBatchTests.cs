using System.Text.RegularExpressions;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Embeddings.Tests;

/// <summary>The in-process onnx provider runs the batches the user set, with the intra-op threads the user set (its own log says).</summary>
public sealed partial class OnnxBatchTests : IDisposable
{
    private readonly TempDirectory _dir = new("jobs-onnx-batch");
    private string Lake => _dir.Combine("lake");

    [Fact]
    public async Task Embed_OnnxBatchSizeAndThreads_AreTheOnesUsed()
    {
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, TestContext.Current.CancellationToken, poison: false);
        var distinct = chunks.Select(c => c.Text).Distinct().Count();

        var run = await StageRun.RunAsync(new EmbedStage(), new Dictionary<string, string> { ["JOBS_LOG_LEVEL"] = "Debug" },
            ["--start", "2024-01-01", "--end", "2024-01-03", "--lake", Lake, "--batch-size", "5", "--threads", "1"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Contains("(3 inputs, 1 intra-op threads)", run.Log, StringComparison.Ordinal);
        // One ONNX Runtime run per batch of the stage: full batches of 5, one short batch of the rest, every text once.
        var batches = ModelRun().Matches(run.Log).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(distinct, batches.Sum());
        Assert.Equal(distinct / 5, batches.Count(b => b == 5));
        Assert.All(batches, b => Assert.True(b == 5 || b == distinct % 5, $"a model batch of {b}"));
        Assert.Equal(chunks.Count, (await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, TestContext.Current.CancellationToken)).Count);
    }

    [GeneratedRegex(@"Embedded (\d+) inputs of up to")]
    private static partial Regex ModelRun();

    public void Dispose() => _dir.Dispose();
}
