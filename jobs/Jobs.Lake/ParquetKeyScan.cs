using System.Runtime.CompilerServices;
using Parquet;

namespace Jobs.Lake;

/// <summary>Reads one string column of a data file without the others: whether the file holds any of a set of keys, or all its values.</summary>
internal static class ParquetKeyScan
{
    /// <summary>True when a row's <paramref name="column"/> is one of <paramref name="keys"/>, or the file has no such column (it cannot tell).</summary>
    public static async Task<bool> HoldsAnyAsync(ILakeStorage storage, string path, string column, IReadOnlySet<string> keys, CancellationToken cancellationToken)
    {
        var fs = await storage.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var _ = fs.ConfigureAwait(false);
        var reader = await ParquetReader.CreateAsync(fs, null, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var __ = reader.ConfigureAwait(false);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == column && !f.IsArray);
        if (field is null) return true;
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            using var group = reader.OpenRowGroupReader(i);
            var values = new string?[checked((int)group.RowCount)];
            await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            foreach (var value in values)
                if (value is not null && keys.Contains(value)) return true;
        }
        return false;
    }

    /// <summary>Every value of the string column <paramref name="column"/>, one row group at a time; refused when the file has no such column.</summary>
    public static async IAsyncEnumerable<string?> ValuesAsync(ILakeStorage storage, string path, string column, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fs = await storage.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var _ = fs.ConfigureAwait(false);
        var reader = await ParquetReader.CreateAsync(fs, null, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var __ = reader.ConfigureAwait(false);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == column && !f.IsArray)
            ?? throw new DeltaUnsupportedException($"{storage.Describe(path)}: no string column {column}");
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            string?[] values;
            using (var group = reader.OpenRowGroupReader(i))
            {
                values = new string?[checked((int)group.RowCount)];
                await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            }
            foreach (var value in values) yield return value;
        }
    }
}
