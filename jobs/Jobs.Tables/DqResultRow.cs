using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace Jobs.Tables;

/// <summary>
/// The verdict of one data-quality check in one validate run (Delta table <c>dq_results</c>, appended per run,
/// partitioned by the date chunk's first day): what it measured against which threshold, and a few rows concerned.
/// </summary>
public sealed class DqResultRow
{
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    /// <summary>ingest, chunk, embed or load: the point of the pipeline the check looks at.</summary>
    [JsonPropertyName("point")] public string Point { get; set; } = "";
    [JsonPropertyName("check_name")] public string CheckName { get; set; } = "";
    /// <summary>error (fails the task) or warning.</summary>
    [JsonPropertyName("severity")] public string Severity { get; set; } = "";
    [JsonPropertyName("passed")] public bool Passed { get; set; }
    [JsonPropertyName("observed")] public double Observed { get; set; }
    [JsonPropertyName("threshold")] public double Threshold { get; set; }
    [JsonPropertyName("rows_checked")] public long RowsChecked { get; set; }
    [JsonPropertyName("rows_failed")] public long RowsFailed { get; set; }
    /// <summary>Ids of a few failing rows, as a JSON array of strings.</summary>
    [JsonPropertyName("sample_rows")] public string SampleRows { get; set; } = "[]";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("chunk_start")] public string ChunkStart { get; set; } = "";
    [JsonPropertyName("chunk_end")] public string ChunkEnd { get; set; } = "";
    [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime Timestamp { get; set; }
    [JsonIgnore] public DateOnly Day { get; set; }
}
