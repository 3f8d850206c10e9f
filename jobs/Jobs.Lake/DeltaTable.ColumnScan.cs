using System.Runtime.CompilerServices;

namespace Jobs.Lake;

public sealed partial class DeltaTable<TRow>
{
    /// <summary>
    /// Streams one string column of the live files (at <paramref name="version"/>, default latest) whose partitions pass
    /// <paramref name="filter"/>, each value with its file's partition values: a scan of a key over a whole table reads
    /// that column alone, one row group at a time, not whole rows.
    /// </summary>
    public async IAsyncEnumerable<(string? Value, IReadOnlyDictionary<string, string?> Partition)> ReadColumnAsync(PartitionPredicate filter, string column,
        long? version = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!await ExistsAsync(cancellationToken).ConfigureAwait(false)) yield break;
        var snapshot = await SnapshotAsync(version, cancellationToken).ConfigureAwait(false);
        EnsureSchemaMatches(snapshot);
        foreach (var file in snapshot.Files.Where(f => filter.Matches(f.PartitionValues)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var path = LakePaths.Combine(TablePath, PartitionPaths.FromLogPath(file.Path));
            await foreach (var value in ParquetKeyScan.ValuesAsync(Storage, path, column, cancellationToken).ConfigureAwait(false))
                yield return (value, file.PartitionValues);
        }
    }
}
