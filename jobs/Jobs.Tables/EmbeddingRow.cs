using System.Text.Json.Serialization;

namespace Jobs.Tables;

/// <summary>The vector of one chunk under one model (Delta table <c>embeddings</c>, partitioned by day).</summary>
public sealed class EmbeddingRow
{
    [JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
    [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
    [JsonPropertyName("content_hash")] public string ContentHash { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("embedding")] public float[] Embedding { get; set; } = [];
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly Day { get; set; }
}
