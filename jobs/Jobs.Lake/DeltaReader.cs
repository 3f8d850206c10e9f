using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Serialization;

namespace Jobs.Lake;

/// <summary>
/// Reads any table this library can read as untyped rows (column name → value), partition columns included and
/// typed from the log, one row group at a time. Used for Delta sources, inspection and the golden-table tests.
/// </summary>
public static class DeltaReader
{
    private static readonly ParquetOptions Options = new() { UseDateOnlyTypeForDates = true };

    public static async Task<DeltaSnapshot> SnapshotAsync(string tableRoot, long? version = null, CancellationToken cancellationToken = default) =>
        await DeltaSnapshot.LoadAsync(new DeltaLogStore(tableRoot), version, cancellationToken).ConfigureAwait(false);

    /// <param name="sessionZone">Time zone of zone-less timestamp partition values (see <see cref="PartitionValues.Parse"/>).</param>
    public static async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> ReadRowsAsync(string tableRoot, DeltaSnapshot snapshot,
        TimeZoneInfo? sessionZone = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partitionTypes = snapshot.Metadata.PartitionColumns.ToDictionary(c => c,
            c => snapshot.Schema[c]?.PrimitiveType ?? throw new DeltaProtocolException($"partition column {c} is not a primitive field of the schema"));
        foreach (var file in snapshot.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var path = Path.Combine(tableRoot, PartitionPaths.FromLogPath(file.Path));
            await using var fs = File.OpenRead(path);
            int rowGroups;
            await using (var reader = await ParquetReader.CreateAsync(fs, Options, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false))
                rowGroups = reader.RowGroupCount;
            for (var g = 0; g < rowGroups; g++)
            {
                fs.Position = 0;
                var result = await DeserializeAsync(fs, g, file.Path, cancellationToken).ConfigureAwait(false);
                foreach (var row in result.Data)
                {
                    var typed = new Dictionary<string, object?>(row!, StringComparer.Ordinal);
                    foreach (var (column, type) in partitionTypes)
                        typed[column] = PartitionValues.Parse(file.PartitionValues.GetValueOrDefault(column), type, column, sessionZone);
                    // Columns missing from an older file read as null (schema evolution by adding columns).
                    foreach (var field in snapshot.Schema.Fields) typed.TryAdd(field.Name, null);
                    yield return typed;
                }
            }
        }
    }

    private static async Task<DeserializationResult<Dictionary<string, object>>> DeserializeAsync(Stream fs, int rowGroup, string file, CancellationToken ct)
    {
        try
        {
            return await ParquetSerializer.DeserializeUntypedAsync(fs, Options, rowGroup, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FieldAccessException or ArgumentException or NotSupportedException)
        {
            // Parquet.Net cannot assemble some nested shapes (e.g. map<int, array<struct>>): refuse, never misread.
            throw new DeltaUnsupportedException($"{file}: a column has a nested type the Parquet reader cannot assemble ({e.Message})");
        }
    }
}
