using System.Text.Json.Serialization;

namespace Jobs.Tables;

/// <summary>The vector of one chunk under one model (Delta table <c>embeddings</c>, partitioned by day).</summary>
public sealed class EmbeddingRow
{
    [JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
    [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
    /// <summary>The column reuse looks vectors up by.</summary>
    public const string ContentHashColumn = "content_hash";

    [JsonPropertyName(ContentHashColumn)] public string ContentHash { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("embedding")] public float[] Embedding { get; set; } = [];
    /// <summary>
    /// The model's dimension when the vector was written (the length <see cref="Embedding"/> must have); null in rows
    /// written before the column was added (the table's schema widens on the next commit, older files read it as null).
    /// </summary>
    [JsonPropertyName("dimension")] public int? Dimension { get; set; }
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly Day { get; set; }
}
