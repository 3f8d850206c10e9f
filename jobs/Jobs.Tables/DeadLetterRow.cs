using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace Jobs.Tables;

/// <summary>
/// A chunk that still had no valid vector after the retry budget (Delta table <c>dead_letters</c>, partitioned by the
/// chunk's day): why, how often it was tried, and when. <c>embed --replay-dead-letters</c> tries these again and
/// removes the ones that succeed.
/// </summary>
public sealed class DeadLetterRow
{
    [JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
    [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
    [JsonPropertyName("content_hash")] public string ContentHash { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    /// <summary>A few stable words: invalid_response, http_400, http_503, timeout, connection...</summary>
    [JsonPropertyName("error_class")] public string ErrorClass { get; set; } = "";
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    /// <summary>Model calls that included this chunk, over every run.</summary>
    [JsonPropertyName("attempts")] public int Attempts { get; set; }
    [JsonPropertyName("first_seen"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime FirstSeen { get; set; }
    [JsonPropertyName("last_seen"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime LastSeen { get; set; }
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly Day { get; set; }
}
