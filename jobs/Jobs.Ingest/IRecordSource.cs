namespace Jobs.Ingest;

/// <summary>
/// A source part that is not a local file: a data file of a Delta table (on disk or in object storage) or a
/// PostgreSQL query. Ingest reads it as it reads a file: its size, its records counted apart from reading them (for
/// the reconciliation), and its records.
/// </summary>
public interface IRecordSource
{
    /// <summary>Bytes this part opens (a Delta data file's exact size); 0 when unknown (a query).</summary>
    long Length { get; }

    /// <summary>The part's records counted independently of <see cref="Read"/> (Delta: the log's numRecords or the Parquet footer; a query: count(*)).</summary>
    long CountRecords();

    IEnumerable<SourceRecord> Read(int maxRecordBytes);
}
