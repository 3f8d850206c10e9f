using System.Text.Json;
using Jobs.Hosting;
using Jobs.Quality;
using Jobs.Tables;

namespace Jobs.Validate;

/// <summary>Appends one <c>dq_results</c> row per check of the run, in one Delta commit.</summary>
internal static class DqResults
{
    public static async Task AppendAsync(LakeStore lake, IReadOnlyList<CheckResult> results, JobContext context, string model, DateTime now,
        CancellationToken cancellationToken)
    {
        if (results.Count == 0) return;
        var chunk = context.Chunk;
        var rows = results.Select(r => new DqResultRow
        {
            RunId = context.RunId,
            Point = r.Point.ToString().ToLowerInvariant(),
            CheckName = r.Name,
            Severity = r.Severity.ToString().ToLowerInvariant(),
            Passed = r.Passed,
            Observed = r.Observed,
            Threshold = r.Threshold,
            RowsChecked = r.Checked,
            RowsFailed = r.Failures,
            SampleRows = JsonSerializer.Serialize(r.Samples),
            Model = model,
            ChunkStart = DayPartition.Format(chunk.Start)!,
            ChunkEnd = DayPartition.Format(chunk.End)!,
            Timestamp = now,
            Day = chunk.Start,
        }).ToAsyncEnumerable();
        await lake.Table(LakeTables.DqResults).AppendAsync(rows, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
