using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace Jobs.Tables;

/// <summary>One source record accepted by ingest (Delta table <c>documents</c>, partitioned by day).</summary>
public sealed class DocumentRow
{
    [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
    [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime Timestamp { get; set; }
    [JsonPropertyName("title")] public string? Title { get; set; }
    [JsonPropertyName("text")] public string Text { get; set; } = "";
    [JsonPropertyName("category")] public string? Category { get; set; }
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("content_hash")] public string ContentHash { get; set; } = "";
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    /// <summary>The source's extra fields as one JSON object (field name → value as text, or null), in the mapping's order; null when none are mapped. Added after the first tables: files written before read it as null.</summary>
    [JsonPropertyName("metadata")] public string? Metadata { get; set; }
    [JsonIgnore] public DateOnly Day { get; set; }
}
