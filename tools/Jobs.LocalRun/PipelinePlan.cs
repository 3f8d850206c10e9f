using Jobs.Chunk;
using Jobs.Contracts;
using Jobs.Tables;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Load;
using Jobs.Validate;

namespace Jobs.LocalRun;

/// <summary>One stage invocation: the stage and the exact CLI arguments a pod would be given.</summary>
public sealed record StageInvocation(Stage Stage, string[] Args);

/// <summary>
/// The five stages per date chunk, in order, with the arguments the Airflow DAG passes. Used by <c>make run</c> and
/// by the end-to-end test, so both exercise the same contract.
/// </summary>
public static class PipelinePlan
{
    public static IEnumerable<StageInvocation> For(IEnumerable<DateChunk> chunks, string lake, string postgres, IReadOnlyList<string> sourceArgs)
    {
        foreach (var chunk in chunks)
        {
            string[] common = ["--start", DayPartition.Format(chunk.Start)!, "--end", DayPartition.Format(chunk.End)!, "--lake", lake];
            yield return new(new IngestStage(), [.. common, .. sourceArgs]);
            yield return new(new ChunkStage(), common);
            yield return new(new EmbedStage(), common);
            yield return new(new ValidateStage(), common);
            yield return new(new LoadStage(), [.. common, "--pg", postgres]);
            // The store now holds exactly the lake's rows of the chunk (counts and checksums), or the task fails (exit 4).
            yield return new(new ValidateStage(), [.. common, "--pg", postgres, "--after", "load"]);
        }
    }
}
