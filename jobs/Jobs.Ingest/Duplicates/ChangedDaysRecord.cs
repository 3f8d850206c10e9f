using System.Text.Json;
using Jobs.Contracts;
using Jobs.Lake;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// The other days one run's reconciliation of one chunk rewrites, kept in the lake
/// (<c>_jobs/ingest-changed-days/RUN/START_END.json</c>) and written before those commits: a retry of the same run
/// (Airflow keeps the run id across a task's tries) reads it back and names those days again, though nothing is left
/// to move by then, so a pod that died between the commits and its result loses no day. Other runs and other chunks
/// of the same run have their own file. A record written for a commit that then lost its race names a day that did
/// not change: the later stages run for it once more, which changes nothing.
/// </summary>
public sealed class ChangedDaysRecord(ILakeStorage storage, string runId, DateChunk chunk)
{
    public string Path { get; } = LakePaths.Combine("_jobs", "ingest-changed-days", Uri.EscapeDataString(runId),
        $"{DateChunk.FormatDay(chunk.Start)}_{DateChunk.FormatDay(chunk.End)}.json");

    public async Task<IReadOnlyList<DateOnly>> ReadAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await storage.ReadAllTextAsync(Path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        return [.. (JsonSerializer.Deserialize<string[]>(text) ?? []).Select(DateChunk.ParseDay)];
    }

    public Task WriteAsync(IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(days.Order().Select(DateChunk.FormatDay).ToArray());
        return storage.WriteAsync(Path, (stream, ct) => stream.WriteAsync(json, ct).AsTask(), cancellationToken);
    }
}
