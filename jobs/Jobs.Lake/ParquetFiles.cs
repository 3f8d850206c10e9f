using Parquet;
using Parquet.Serialization;

namespace Jobs.Lake;

/// <summary>Writes and reads the Parquet data files of a table with Parquet.Net's class serializer.</summary>
internal static class ParquetFiles
{
    public const int MaxRowGroupRows = 10_000;

    /// <summary>
    /// Row memory (<see cref="RowSize{TRow}"/>) per row group. A reader holds one row group at a time, and the serializer
    /// shreds one at a time, so this, not the file size, bounds what reading or writing a file costs in memory.
    /// </summary>
    public const long RowGroupBytes = 2L * 1024 * 1024;

    /// <summary>Writes <paramref name="rows"/> as the file <paramref name="path"/>; returns its exact size (add.size: Spark reads the footer at size - 8).</summary>
    public static Task<long> WriteAsync<TRow>(ILakeStorage storage, string path, IReadOnlyCollection<TRow> rows, CancellationToken cancellationToken)
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, RowGroupSize = MaxRowGroupRows };
        return storage.WriteAsync(path, (fs, ct) => ParquetSerializer.SerializeAsync(rows, fs, options, cancellationToken: ct), cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="rows"/> as one row group of the Parquet file in <paramref name="file"/>: a new file, or when
    /// <paramref name="append"/> the next row group of the complete file already there (its footer is read back and
    /// rewritten after the new group, so <paramref name="file"/> must be readable and seekable).
    /// </summary>
    public static Task WriteRowGroupAsync<TRow>(Stream file, IReadOnlyCollection<TRow> rows, bool append, CancellationToken cancellationToken)
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, RowGroupSize = Math.Max(1, rows.Count), Append = append };
        return ParquetSerializer.SerializeAsync(rows, file, options, cancellationToken: cancellationToken);
    }

    /// <summary>Row groups in the file; the stream stays open for reading them one at a time.</summary>
    public static async Task<int> RowGroupCountAsync(Stream file, ParquetOptions? options, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(file, options, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        return reader.RowGroupCount;
    }

    public static async IAsyncEnumerable<TRow> ReadAsync<TRow>(ILakeStorage storage, string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where TRow : class, new()
    {
        var fs = await storage.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var _ = fs.ConfigureAwait(false);
        var rowGroups = await RowGroupCountAsync(fs, null, cancellationToken).ConfigureAwait(false);
        // One row group at a time keeps memory bounded by the row-group size, not the file size.
        for (var i = 0; i < rowGroups; i++)
        {
            fs.Position = 0;
            var result = await ParquetSerializer.DeserializeAsync<TRow>(fs, rowGroupIndex: i, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var row in result.Data) yield return row;
        }
    }
}
