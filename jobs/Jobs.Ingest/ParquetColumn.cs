using Parquet;
using Parquet.Schema;

namespace Jobs.Ingest;

/// <summary>
/// Reads one top-level primitive column of a row group with Parquet.Net's column API, as one boxed value per row
/// (null where the row has none). Parquet.Net's untyped serializer is not used: it caches its readers by schema, and
/// two files whose columns share names but not types (a DATE and a TIMESTAMP) would be read with the first's.
/// </summary>
internal static class ParquetColumn
{
    private static readonly HashSet<Type> Supported =
    [
        typeof(string), typeof(ReadOnlyMemory<char>), typeof(byte[]), typeof(ReadOnlyMemory<byte>), typeof(bool), typeof(sbyte), typeof(byte),
        typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal),
        typeof(DateTime), typeof(DateOnly), typeof(TimeSpan), typeof(TimeOnly), typeof(Guid),
    ];

    /// <summary>Whether the column is a top-level primitive this class reads (not a list, map or struct member, not an INTERVAL).</summary>
    public static bool Reads(DataField field) => field.MaxRepetitionLevel == 0 && field.Path.Length == 1 && Supported.Contains(field.ClrType);

    public static Task<object?[]> ReadAsync(ParquetRowGroupReader group, DataField field, int rows)
    {
        var t = field.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) return Strings(group, field, rows); // decoded by Parquet.Net
        if (t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>)) return ByteArrays(group, field, rows); // decoded strictly by ParquetValueText
        if (t == typeof(bool)) return Values<bool>(group, field, rows);
        if (t == typeof(sbyte)) return Values<sbyte>(group, field, rows);
        if (t == typeof(byte)) return Values<byte>(group, field, rows);
        if (t == typeof(short)) return Values<short>(group, field, rows);
        if (t == typeof(ushort)) return Values<ushort>(group, field, rows);
        if (t == typeof(int)) return Values<int>(group, field, rows);
        if (t == typeof(uint)) return Values<uint>(group, field, rows);
        if (t == typeof(long)) return Values<long>(group, field, rows);
        if (t == typeof(ulong)) return Values<ulong>(group, field, rows);
        if (t == typeof(float)) return Values<float>(group, field, rows);
        if (t == typeof(double)) return Values<double>(group, field, rows);
        if (t == typeof(decimal)) return Values<decimal>(group, field, rows);
        if (t == typeof(DateTime)) return Values<DateTime>(group, field, rows);
        if (t == typeof(DateOnly)) return Values<DateOnly>(group, field, rows);
        if (t == typeof(TimeSpan)) return Values<TimeSpan>(group, field, rows);
        if (t == typeof(TimeOnly)) return Values<TimeOnly>(group, field, rows);
        if (t == typeof(Guid)) return Values<Guid>(group, field, rows);
        throw new NotSupportedException($"column '{field.Name}' has the type {t.Name}, which ingest does not read");
    }

    private static async Task<object?[]> Strings(ParquetRowGroupReader group, DataField field, int rows)
    {
        var values = new string?[rows];
        await group.ReadAsync(field, values.AsMemory(), null).ConfigureAwait(false);
        return values;
    }

    private static async Task<object?[]> ByteArrays(ParquetRowGroupReader group, DataField field, int rows)
    {
        var values = new byte[]?[rows];
        await group.ReadAsync(field, values.AsMemory(), null).ConfigureAwait(false);
        return values;
    }

    private static async Task<object?[]> Values<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct
    {
        var boxed = new object?[rows];
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await group.ReadAsync<T>(field, values.AsMemory(), null).ConfigureAwait(false);
            for (var i = 0; i < rows; i++) boxed[i] = values[i];
        }
        else
        {
            var values = new T[rows];
            await group.ReadAsync(field, values.AsMemory(), null).ConfigureAwait(false);
            for (var i = 0; i < rows; i++) boxed[i] = values[i];
        }
        return boxed;
    }
}
