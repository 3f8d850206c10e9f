using Jobs.Hosting;
using Jobs.Lake;

namespace Jobs.Ingest;

/// <summary>
/// One live data file of a Delta table, read through the lake's storage (local folder or object storage) one row
/// group at a time by <see cref="ParquetRecordReader"/>. The file's partition values (which Delta keeps in the log,
/// not in the file) are added to each record as fields, so a mapping can name them. Its record count for the
/// reconciliation is the log's <c>numRecords</c> when the writer recorded it, else the Parquet footer's.
/// </summary>
internal sealed class DeltaDataFile(ILakeStorage storage, string key, string name, IReadOnlyDictionary<string, string?> partitionValues, long size, long? numRecords)
    : IRecordSource
{
    public long Length => size;

    public long CountRecords() => numRecords ?? ParquetRecordReader.CountRows(Open, storage.Describe(key), name);

    public IEnumerable<SourceRecord> Read(int maxRecordBytes)
    {
        foreach (var record in ParquetRecordReader.Read(Open, storage.Describe(key), name))
        {
            if (record.Fields is not { } fields || partitionValues.Count == 0)
            {
                yield return record;
                continue;
            }
            var withPartition = new Dictionary<string, string?>(fields, StringComparer.OrdinalIgnoreCase);
            RecordProblem? problem = null;
            foreach (var (column, value) in partitionValues)
                if (!withPartition.TryAdd(column, value))
                    problem ??= new(Jobs.Tables.QuarantineReasons.DuplicateField, $"partition column '{column}' is also a column of the data file");
            yield return record with { Fields = problem is null ? withPartition : null, Problem = problem, Raw = ParquetValueText.Raw(withPartition) };
        }
    }

    private Stream Open()
    {
        try
        {
            // Ingest's pipeline is synchronous; a job has no synchronization context, so this cannot deadlock.
            return storage.OpenReadAsync(key, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (FileNotFoundException)
        {
            throw new InputRefusedException($"Delta source: data file {storage.Describe(key)} is in the table's log but missing from storage (a broken or vacuumed table)");
        }
    }
}
