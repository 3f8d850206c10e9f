using System.Runtime.CompilerServices;
using Parquet;

namespace Jobs.Lake;

/// <summary>Reads one string column of a data file without the others: whether the file holds any of a set of keys, or all its values.</summary>
internal static class ParquetKeyScan
{
    /// <summary>True when a row's <paramref name="column"/> is one of <paramref name="keys"/>, or the file has no such column (it cannot tell).</summary>
    public static async Task<bool> HoldsAnyAsync(ILakeStorage storage, string path, string column, IReadOnlySet<string> keys, CancellationToken cancellationToken)
    {
        await foreach (var group in RowGroupsAsync(storage, path, column, required: false, cancellationToken).ConfigureAwait(false))
        {
            if (group is null) return true;
            foreach (var value in group)
                if (value is not null && keys.Contains(value)) return true;
        }
        return false;
    }

    /// <summary>Every value of the string column <paramref name="column"/>, one row group at a time; refused when the file has no such column.</summary>
    public static async IAsyncEnumerable<string?> ValuesAsync(ILakeStorage storage, string path, string column, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var group in RowGroupsAsync(storage, path, column, required: true, cancellationToken).ConfigureAwait(false))
            foreach (var value in group!) yield return value;
    }

    /// <summary>
    /// The column's values, one array a row group. A file without the column is refused when <paramref name="required"/>,
    /// else answered by a single null (the caller cannot tell what it holds).
    /// </summary>
    private static async IAsyncEnumerable<string?[]?> RowGroupsAsync(ILakeStorage storage, string path, string column, bool required,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fs = await storage.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var _ = fs.ConfigureAwait(false);
        var reader = await ParquetReader.CreateAsync(fs, null, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var __ = reader.ConfigureAwait(false);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == column && !f.IsArray);
        if (field is null)
        {
            if (required) throw new DeltaUnsupportedException($"{storage.Describe(path)}: no string column {column}");
            yield return null;
            yield break;
        }
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            string?[] values;
            using (var group = reader.OpenRowGroupReader(i))
            {
                values = new string?[checked((int)group.RowCount)];
                await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            }
            yield return values;
        }
    }
}
