namespace Jobs.Lake;

/// <summary>
/// The Parquet engine behind <see cref="DeltaReader"/>: decodes one data file into rows (column name → value). The
/// Delta logic (which files, which partition values, which schema) never depends on which engine is used.
/// </summary>
public interface IParquetRowReader
{
    /// <param name="path">Key of the data file in <paramref name="storage"/>.</param>
    IAsyncEnumerable<IDictionary<string, object?>> ReadAsync(ILakeStorage storage, string path, CancellationToken cancellationToken);
}
