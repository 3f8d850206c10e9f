using Parquet;
using Parquet.Serialization;

namespace Jobs.Lake;

/// <summary>Reads classic and multi-part checkpoints into actions, and writes classic V1 checkpoints as Spark does.</summary>
internal static class CheckpointFile
{
    public static async Task<CommitActions> ReadAsync(ILakeStorage storage, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var adds = new List<AddFile>();
        var removes = new List<RemoveFile>();
        var txns = new List<TxnAction>();
        ProtocolAction? protocol = null;
        MetadataAction? metadata = null;
        foreach (var path in paths)
        {
            DeserializationResult<CheckpointRow> rows;
            var fs = await storage.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            await using (fs.ConfigureAwait(false))
                rows = await ParquetSerializer.DeserializeAsync<CheckpointRow>(fs, cancellationToken: cancellationToken).ConfigureAwait(false);
            var name = LakePaths.FileName(path);
            foreach (var row in rows.Data)
            {
                if (row.Add is { Path: { } addPath } a)
                    adds.Add(new AddFile(addPath, a.PartitionValues ?? [], a.Size ?? 0, a.ModificationTime ?? 0, a.DataChange ?? false, a.Stats));
                else if (row.Remove is { Path: { } removePath } r)
                    removes.Add(new RemoveFile(removePath, r.DeletionTimestamp ?? 0, r.DataChange ?? false, r.PartitionValues, r.Size));
                else if (row.MetaData is { } m)
                    metadata = new MetadataAction(m.Id ?? throw new DeltaProtocolException($"{name}: metaData without id"),
                        m.SchemaString ?? throw new DeltaProtocolException($"{name}: metaData without schemaString"),
                        m.PartitionColumns ?? [], m.Configuration ?? [], m.CreatedTime);
                else if (row.Protocol is { } p)
                    protocol = new ProtocolAction(p.MinReaderVersion ?? 1, p.MinWriterVersion ?? 1, p.ReaderFeatures, p.WriterFeatures);
                else if (row.Txn is { AppId: { } appId } t)
                    txns.Add(new TxnAction(appId, t.Version ?? 0, t.LastUpdated));
            }
        }
        // A checkpoint holds reconciled state: removes first so that a re-added path stays live.
        return new CommitActions(adds, removes, protocol, metadata, txns);
    }

    /// <summary>The rows of a checkpoint of <paramref name="snapshot"/>: protocol, metadata, txns, live files, unexpired tombstones.</summary>
    public static List<CheckpointRow> Rows(DeltaSnapshot snapshot, long tombstoneCutoffMs)
    {
        var rows = new List<CheckpointRow>
        {
            new() { Protocol = new CheckpointProtocol { MinReaderVersion = snapshot.Protocol.MinReaderVersion, MinWriterVersion = snapshot.Protocol.MinWriterVersion } },
            new()
            {
                MetaData = new CheckpointMetadata
                {
                    Id = snapshot.Metadata.Id,
                    Format = new CheckpointFormat { Provider = "parquet", Options = [] },
                    SchemaString = snapshot.Metadata.SchemaString,
                    PartitionColumns = [.. snapshot.Metadata.PartitionColumns],
                    Configuration = new Dictionary<string, string?>(snapshot.Metadata.Configuration),
                    CreatedTime = snapshot.Metadata.CreatedTime,
                },
            },
        };
        rows.AddRange(snapshot.Txns.Values.Select(t => new CheckpointRow { Txn = new CheckpointTxn { AppId = t.AppId, Version = t.Version, LastUpdated = t.LastUpdated } }));
        // Spark writes dataChange=false for the add and remove rows of a checkpoint.
        rows.AddRange(snapshot.Files.Select(a => new CheckpointRow
        {
            Add = new CheckpointAdd
            {
                Path = a.Path, PartitionValues = new Dictionary<string, string?>(a.PartitionValues), Size = a.Size,
                ModificationTime = a.ModificationTime, DataChange = false, Stats = a.Stats,
            },
        }));
        rows.AddRange(snapshot.Tombstones.Where(r => r.DeletionTimestamp > tombstoneCutoffMs).Select(r => new CheckpointRow
        {
            Remove = new CheckpointRemove
            {
                Path = r.Path, DeletionTimestamp = r.DeletionTimestamp, DataChange = false, ExtendedFileMetadata = true,
                PartitionValues = r.PartitionValues is null ? null : new Dictionary<string, string?>(r.PartitionValues), Size = r.Size,
            },
        }));
        return rows;
    }

    public static Task WriteAsync(Stream file, IReadOnlyCollection<CheckpointRow> rows, CancellationToken cancellationToken) =>
        ParquetSerializer.SerializeAsync(rows, file, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, cancellationToken: cancellationToken);
}
