using System.Runtime.CompilerServices;
using DuckDB.NET.Data;
using Jobs.Lake;

namespace Jobs.Lake.DuckDb;

/// <summary>
/// Reads a Parquet data file with DuckDB's Parquet reader (in-process), which assembles any nesting of lists, maps
/// and structs. Values come back as BCL types: maps as dictionaries, lists as lists, structs as name → value.
/// DuckDB reads by local path, so only local lakes (<see cref="ILakeStorage.TryGetLocalPath"/>) can be read with it.
/// </summary>
public sealed class DuckDbParquetRowReader : IParquetRowReader
{
    public async IAsyncEnumerable<IDictionary<string, object?>> ReadAsync(ILakeStorage storage, string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (!storage.TryGetLocalPath(path, out var localPath))
            throw new DeltaUnsupportedException($"{storage.Describe(path)}: the DuckDB engine reads local files only; read remote lakes with the Parquet.Net engine");
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Timestamps as UTC instants, whatever the session's zone; the path is a parameter, never spliced into SQL.
        command.CommandText = "SET TimeZone = 'UTC'; SELECT * FROM read_parquet($path)";
        command.Parameters.Add(new DuckDBParameter("path", localPath));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return row;
        }
    }
}
