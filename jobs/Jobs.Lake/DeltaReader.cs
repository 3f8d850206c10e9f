using System.Runtime.CompilerServices;

namespace Jobs.Lake;

/// <summary>
/// Reads any table this library can read as untyped rows (column name → value), partition columns included and
/// typed from the log, one row group at a time. Used for Delta sources, inspection and the golden-table tests.
/// </summary>
public static class DeltaReader
{
    /// <summary>The snapshot of the table in the local folder <paramref name="tableRoot"/>.</summary>
    public static Task<DeltaSnapshot> SnapshotAsync(string tableRoot, long? version = null, CancellationToken cancellationToken = default) =>
        SnapshotAsync(new LocalLakeStorage(tableRoot), "", version, cancellationToken);

    /// <summary>The snapshot of the table at <paramref name="tablePath"/> ("" for the storage root) in <paramref name="lake"/>.</summary>
    public static Task<DeltaSnapshot> SnapshotAsync(ILakeStorage lake, string tablePath, long? version = null, CancellationToken cancellationToken = default) =>
        DeltaSnapshot.LoadAsync(new DeltaLogStore(lake, tablePath), version, cancellationToken);

    /// <param name="sessionZone">Time zone of zone-less timestamp partition values (see <see cref="PartitionValues.Parse"/>).</param>
    /// <param name="engine">The Parquet engine; Parquet.Net when null.</param>
    public static IAsyncEnumerable<IReadOnlyDictionary<string, object?>> ReadRowsAsync(string tableRoot, DeltaSnapshot snapshot,
        TimeZoneInfo? sessionZone = null, IParquetRowReader? engine = null, CancellationToken cancellationToken = default) =>
        ReadRowsAsync(new LocalLakeStorage(tableRoot), "", snapshot, sessionZone, engine, cancellationToken: cancellationToken);

    /// <param name="sessionZone">Time zone of zone-less timestamp partition values (see <see cref="PartitionValues.Parse"/>).</param>
    /// <param name="engine">The Parquet engine; Parquet.Net when null.</param>
    /// <param name="partitions">Reads only the files whose partition values (as logged) pass; every file when null.</param>
    public static async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> ReadRowsAsync(ILakeStorage lake, string tablePath, DeltaSnapshot snapshot,
        TimeZoneInfo? sessionZone = null, IParquetRowReader? engine = null, Func<IReadOnlyDictionary<string, string?>, bool>? partitions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        engine ??= ParquetNetRowReader.Instance;
        var partitionTypes = snapshot.Metadata.PartitionColumns.ToDictionary(c => c,
            c => snapshot.Schema[c]?.PrimitiveType ?? throw new DeltaProtocolException($"partition column {c} is not a primitive field of the schema"));
        foreach (var file in snapshot.Files.Where(f => partitions is null || partitions(f.PartitionValues)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var path = LakePaths.Combine(tablePath, PartitionPaths.FromLogPath(file.Path));
            await foreach (var row in engine.ReadAsync(lake, path, cancellationToken).ConfigureAwait(false))
            {
                var typed = new Dictionary<string, object?>(row, StringComparer.Ordinal);
                foreach (var (column, type) in partitionTypes)
                    typed[column] = PartitionValues.Parse(file.PartitionValues.GetValueOrDefault(column), type, column, sessionZone);
                // Columns missing from an older file read as null (schema evolution by adding columns).
                foreach (var field in snapshot.Schema.Fields) typed.TryAdd(field.Name, null);
                yield return typed;
            }
        }
    }
}
