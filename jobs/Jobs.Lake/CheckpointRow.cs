using System.Text.Json.Serialization;

namespace Jobs.Lake;

// The classic checkpoint's row shape, field for field as Spark writes it (PROTOCOL.md "Checkpoint Schema"): one
// action per row, the other columns null, every leaf OPTIONAL, maps as key_value and lists as list/element.
// Columns we never write (deletionVector, baseRowId, domainMetadata, stats_parsed) are left out: absent = null.

internal sealed class CheckpointRow
{
    [JsonPropertyName("txn")] public CheckpointTxn? Txn { get; set; }
    [JsonPropertyName("add")] public CheckpointAdd? Add { get; set; }
    [JsonPropertyName("remove")] public CheckpointRemove? Remove { get; set; }
    [JsonPropertyName("metaData")] public CheckpointMetadata? MetaData { get; set; }
    [JsonPropertyName("protocol")] public CheckpointProtocol? Protocol { get; set; }
}

internal sealed class CheckpointTxn
{
    [JsonPropertyName("appId")] public string? AppId { get; set; }
    [JsonPropertyName("version")] public long? Version { get; set; }
    [JsonPropertyName("lastUpdated")] public long? LastUpdated { get; set; }
}

internal sealed class CheckpointAdd
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("partitionValues")] public Dictionary<string, string?>? PartitionValues { get; set; }
    [JsonPropertyName("size")] public long? Size { get; set; }
    [JsonPropertyName("modificationTime")] public long? ModificationTime { get; set; }
    [JsonPropertyName("dataChange")] public bool? DataChange { get; set; }
    [JsonPropertyName("tags")] public Dictionary<string, string?>? Tags { get; set; }
    [JsonPropertyName("stats")] public string? Stats { get; set; }
}

internal sealed class CheckpointRemove
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("deletionTimestamp")] public long? DeletionTimestamp { get; set; }
    [JsonPropertyName("dataChange")] public bool? DataChange { get; set; }
    [JsonPropertyName("extendedFileMetadata")] public bool? ExtendedFileMetadata { get; set; }
    [JsonPropertyName("partitionValues")] public Dictionary<string, string?>? PartitionValues { get; set; }
    [JsonPropertyName("size")] public long? Size { get; set; }
}

internal sealed class CheckpointMetadata
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("format")] public CheckpointFormat? Format { get; set; }
    [JsonPropertyName("schemaString")] public string? SchemaString { get; set; }
    [JsonPropertyName("partitionColumns")] public List<string>? PartitionColumns { get; set; }
    [JsonPropertyName("configuration")] public Dictionary<string, string?>? Configuration { get; set; }
    [JsonPropertyName("createdTime")] public long? CreatedTime { get; set; }
}

internal sealed class CheckpointFormat
{
    [JsonPropertyName("provider")] public string? Provider { get; set; }
    [JsonPropertyName("options")] public Dictionary<string, string?>? Options { get; set; }
}

internal sealed class CheckpointProtocol
{
    [JsonPropertyName("minReaderVersion")] public int? MinReaderVersion { get; set; }
    [JsonPropertyName("minWriterVersion")] public int? MinWriterVersion { get; set; }
    // Read-only: present in checkpoints of (3,7) tables; never written for the (1,2) tables this library creates.
    [JsonPropertyName("readerFeatures")] public List<string>? ReaderFeatures { get; set; }
    [JsonPropertyName("writerFeatures")] public List<string>? WriterFeatures { get; set; }
}
