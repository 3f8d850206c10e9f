using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace Jobs.Tables;

/// <summary>
/// One candidate for a document id (Delta table <c>document_ids</c>, partitioned by day): every record an ingest run
/// accepted on that day, winner or not, with the position that orders it (timestamp, then source and record). Each
/// ingest run replaces its days' rows; which candidate of an id wins is decided over all days from this table.
/// </summary>
public sealed class DocumentIdRow
{
    public const string DocIdColumn = "doc_id";

    [JsonPropertyName(DocIdColumn)] public string DocId { get; set; } = "";
    [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime Timestamp { get; set; }
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("record_ref")] public string RecordRef { get; set; } = "";
    /// <summary>Hash of what the document holds (text, title, category, timestamp to the millisecond): equal for exact duplicates.</summary>
    [JsonPropertyName("record_hash")] public string RecordHash { get; set; } = "";
    [JsonIgnore] public DateOnly Day { get; set; }
}
