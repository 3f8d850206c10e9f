using System.Runtime.CompilerServices;

namespace Jobs.Lake;

public sealed partial class DeltaTable<TRow>
{
    /// <summary>
    /// Streams the rows of the live files (partitions passing <paramref name="filter"/>) that hold at least one of
    /// <paramref name="keys"/> in the string column <paramref name="column"/>, for lookups by a key that does not
    /// cluster (a content hash is uniform, so per-file min/max stats of it span nearly every file and skip none). A
    /// first pass reads only that column of each file (tens of bytes a row where a vector is kilobytes); whole rows are
    /// read only from files that hold a key, every row of them: the caller filters. A file without the column is read whole.
    /// </summary>
    public async IAsyncEnumerable<TRow> ReadHoldingAsync(PartitionPredicate filter, string column, IReadOnlySet<string> keys,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0 || !await ExistsAsync(cancellationToken).ConfigureAwait(false)) yield break;
        var snapshot = await SnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        EnsureSchemaMatches(snapshot);
        foreach (var file in snapshot.Files.Where(f => filter.Matches(f.PartitionValues)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var path = LakePaths.Combine(TablePath, PartitionPaths.FromLogPath(file.Path));
            if (!await ParquetKeyScan.HoldsAnyAsync(Storage, path, column, keys, cancellationToken).ConfigureAwait(false)) continue;
            await foreach (var row in ParquetFiles.ReadAsync<TRow>(Storage, path, cancellationToken).ConfigureAwait(false))
            {
                _spec.ApplyPartitionValues(row, file.PartitionValues);
                yield return row;
            }
        }
    }
}
