namespace Jobs.Lake;

/// <summary>A data file that is part of the table (Delta "add" action).</summary>
public sealed record AddFile(
    string Path,
    IReadOnlyDictionary<string, string?> PartitionValues,
    long Size,
    long ModificationTime,
    bool DataChange,
    string? Stats);

/// <summary>A data file logically deleted from the table (Delta "remove" action).</summary>
public sealed record RemoveFile(
    string Path,
    long DeletionTimestamp,
    bool DataChange,
    IReadOnlyDictionary<string, string?>? PartitionValues,
    long? Size);

public sealed record ProtocolAction(int MinReaderVersion, int MinWriterVersion,
    IReadOnlyList<string>? ReaderFeatures, IReadOnlyList<string>? WriterFeatures);

public sealed record MetadataAction(
    string Id,
    string SchemaString,
    IReadOnlyList<string> PartitionColumns,
    IReadOnlyDictionary<string, string?> Configuration,
    long? CreatedTime);

public sealed record TxnAction(string AppId, long Version, long? LastUpdated);

/// <summary>The actions of one commit file, in order, plus the free-form commitInfo.</summary>
public sealed record CommitActions(
    IReadOnlyList<AddFile> Adds,
    IReadOnlyList<RemoveFile> Removes,
    ProtocolAction? Protocol,
    MetadataAction? Metadata,
    IReadOnlyList<TxnAction> Txns);
