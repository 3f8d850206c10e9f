using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace Jobs.Tables;

/// <summary>A token-bounded passage of a document (Delta table <c>chunks</c>, partitioned by the document's day).</summary>
public sealed class ChunkRow
{
    [JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
    [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
    [JsonPropertyName("ordinal")] public int Ordinal { get; set; }
    [JsonPropertyName("text")] public string Text { get; set; } = "";
    [JsonPropertyName("token_count")] public int TokenCount { get; set; }
    [JsonPropertyName("char_start")] public int CharStart { get; set; }
    [JsonPropertyName("char_end")] public int CharEnd { get; set; }
    [JsonPropertyName("content_hash")] public string ContentHash { get; set; } = "";
    [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime Timestamp { get; set; }
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    /// <summary>What the passage is about, given to the embedder before its text but not part of it: the document's title (and the section heading above the passage), or null. Added after the first tables: files written before read it as null.</summary>
    [JsonPropertyName("context")] public string? Context { get; set; }
    /// <summary>
    /// The model input ids of the passage: what the embedder's tokenizer gives for the model's document prefix, the
    /// context and the text, [CLS] and [SEP] included, computed by the chunk stage from its one tokenization of the
    /// document; the ONNX embedder feeds them to the model when <see cref="Tokenizer"/> is its own. Null in rows
    /// written before the column was added (the table's schema widens on the next commit; the embedder tokenizes those).
    /// </summary>
    [JsonPropertyName("token_ids")] public int[]? TokenIds { get; set; }
    /// <summary>What <see cref="TokenIds"/> are valid for (model, vocabulary, tokenizer version), or null.</summary>
    [JsonPropertyName("tokenizer")] public string? Tokenizer { get; set; }
    [JsonIgnore] public DateOnly Day { get; set; }
}
