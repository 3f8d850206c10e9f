namespace Jobs.Lake;

/// <summary>
/// The Parquet engine behind <see cref="DeltaReader"/>: decodes one data file into rows (column name → value). The
/// Delta logic (which files, which partition values, which schema) never depends on which engine is used.
/// </summary>
public interface IParquetRowReader
{
    IAsyncEnumerable<IDictionary<string, object?>> ReadAsync(string path, CancellationToken cancellationToken);
}
