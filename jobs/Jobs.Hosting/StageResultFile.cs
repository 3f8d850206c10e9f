using System.Text.Json;
using Jobs.Contracts;

namespace Jobs.Hosting;

/// <summary>
/// The result of a successful run as one JSON object, for the orchestrator (<c>--result-file</c>; KubernetesPodOperator
/// with <c>do_xcom_push</c> reads <c>/airflow/xcom/return.json</c> into the task's XCom):
/// <c>{"stage", "run_id", "start", "end", "rows", "counts": {...}, "changed_days": ["yyyy-MM-dd", ...]}</c>.
/// Written to a temporary file and moved into place, so a reader never sees half of it.
/// </summary>
public static class StageResultFile
{
    /// <summary>
    /// Before any work: the file's folder exists (created when missing) and takes a file, else a configuration error
    /// (exit 2), so a stage never commits its data and then fails, retryably, on its result.
    /// </summary>
    public static void EnsureWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is not { } folder || Path.GetFileName(full).Length == 0)
            throw new JobConfigurationException($"--result-file {path}: not a file path");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(full + ".tmp", []);
            File.Delete(full + ".tmp");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JobConfigurationException($"--result-file {path}: cannot write there ({e.Message})");
        }
    }

    /// <summary>Writes the result; after the stage's commits, so not cancellable (a signal then would only lose the result).</summary>
    public static async Task WriteAsync(string path, string stage, JobContext context, StageResult result)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        var stream = File.Create(temporary);
        await using (stream.ConfigureAwait(false))
        await using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("stage", stage);
            json.WriteString("run_id", context.RunId);
            json.WriteString("start", Day(context.ChunkOrNull?.Start));
            json.WriteString("end", Day(context.ChunkOrNull?.End));
            json.WriteNumber("rows", result.Rows);
            json.WriteStartObject("counts");
            foreach (var (name, value) in result.Counts) json.WriteNumber(name, value);
            json.WriteEndObject();
            json.WriteStartArray("changed_days");
            foreach (var day in result.ChangedDays.Order()) json.WriteStringValue(DateChunk.FormatDay(day));
            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync().ConfigureAwait(false);
        }
        File.Move(temporary, full, overwrite: true);
    }

    private static string? Day(DateOnly? day) => day is { } d ? DateChunk.FormatDay(d) : null;
}
