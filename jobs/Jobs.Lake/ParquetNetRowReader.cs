using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Serialization;

namespace Jobs.Lake;

/// <summary>
/// The default engine: Parquet.Net's untyped reader, one row group at a time. It cannot assemble some nested shapes
/// (e.g. map&lt;int, array&lt;struct&gt;&gt;) and refuses those files rather than misread them; Jobs.Lake.DuckDb reads them.
/// </summary>
public sealed class ParquetNetRowReader : IParquetRowReader
{
    public static readonly ParquetNetRowReader Instance = new();
    private static readonly ParquetOptions Options = new() { UseDateOnlyTypeForDates = true };

    public async IAsyncEnumerable<IDictionary<string, object?>> ReadAsync(ILakeStorage storage, string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var fs = await storage.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var _ = fs.ConfigureAwait(false);
        var rowGroups = await ParquetFiles.RowGroupCountAsync(fs, Options, cancellationToken).ConfigureAwait(false);
        for (var g = 0; g < rowGroups; g++)
        {
            fs.Position = 0;
            DeserializationResult<Dictionary<string, object>> result;
            try
            {
                result = await ParquetSerializer.DeserializeUntypedAsync(fs, Options, g, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FieldAccessException or ArgumentException or NotSupportedException)
            {
                throw new DeltaUnsupportedException($"{storage.Describe(path)}: a column has a nested type Parquet.Net cannot assemble ({e.Message}); read it with the DuckDB engine");
            }
            foreach (var row in result.Data) yield return row!;
        }
    }
}
