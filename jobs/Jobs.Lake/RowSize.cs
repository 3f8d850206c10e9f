using System.Linq.Expressions;
using System.Reflection;

namespace Jobs.Lake;

/// <summary>
/// An estimate of the memory a <typeparamref name="TRow"/> row holds: its strings (UTF-16) and arrays of primitives (bytes, vector floats) by length,
/// plus a fixed cost per row. Used to bound write buffers by bytes, not only by rows, so that a table of large texts
/// is flushed as often as its size requires. Compiled once per row type.
/// </summary>
internal static class RowSize<TRow>
{
    private const long PerRow = 64;

    private static readonly Func<TRow, long> Variable = Compile();

    public static long Of(TRow row) => PerRow + Variable(row);

    private static Func<TRow, long> Compile()
    {
        var row = Expression.Parameter(typeof(TRow), "row");
        Expression sum = Expression.Constant(0L);
        foreach (var property in typeof(TRow).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            var value = Expression.Property(row, property);
            Expression? length = property.PropertyType == typeof(string)
                ? Expression.Multiply(Expression.Convert(Expression.Property(value, nameof(string.Length)), typeof(long)), Expression.Constant(2L))
                : property.PropertyType is { IsArray: true } array && array.GetElementType() is { IsPrimitive: true } element
                    ? Expression.Multiply(Expression.Convert(Expression.ArrayLength(value), typeof(long)), Expression.Constant((long)System.Runtime.InteropServices.Marshal.SizeOf(element)))
                    : null;
            if (length is null) continue;
            sum = Expression.Add(sum, Expression.Condition(Expression.Equal(value, Expression.Constant(null, property.PropertyType)), Expression.Constant(0L), length));
        }
        return Expression.Lambda<Func<TRow, long>>(sum, row).Compile();
    }
}
