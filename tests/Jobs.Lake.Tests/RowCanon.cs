using System.Collections;
using System.Globalization;

namespace Jobs.Lake.Tests;

/// <summary>Canonical text of untyped rows, so two readers' results compare as multisets regardless of order and CLR shape.</summary>
internal static class RowCanon
{
    public static string Row(IReadOnlyDictionary<string, object?> row, IEnumerable<string> columns) =>
        string.Join(" | ", columns.Order(StringComparer.Ordinal).Select(c => c + "=" + Value(row.GetValueOrDefault(c))));

    public static string Value(object? v) => v switch
    {
        null => "null",
        string s => "'" + s + "'",
        ReadOnlyMemory<char> m => "'" + m.ToString() + "'",
        byte[] b => "0x" + Convert.ToHexString(b),
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString("G29", CultureInfo.InvariantCulture),
        IDictionary<string, object?> d => "{" + string.Join(", ", d.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ": " + Value(kv.Value))) + "}",
        IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => Value(k) + ": " + Value(d[k])).Order(StringComparer.Ordinal)) + "}",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Value)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
