using System.Globalization;
using System.Text.Json.Nodes;

namespace Jobs.Lake;

/// <summary>
/// Per-file statistics (PROTOCOL.md "Per-file Statistics") computed from the values being written, never from
/// Parquet footers (Parquet.Net's are wrong for some strings and timestamps). Min/max only for the types Spark
/// skips on (numbers, strings ≤ 32 chars, timestamps), never NaN; nullCount for every data column; partition
/// columns are excluded. Wrong stats would make readers skip files silently, so anything doubtful is left out.
/// </summary>
internal static class FileStats
{
    private const int MaxStringLength = 32;

    public static string Compute<TRow>(IReadOnlyList<TRow> rows)
    {
        var min = new JsonObject();
        var max = new JsonObject();
        var nulls = new JsonObject();
        foreach (var property in DeltaSchema.DataProperties(typeof(TRow)))
        {
            var name = DeltaSchema.ColumnName(property);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var ranged = type == typeof(string) || type == typeof(long) || type == typeof(int) || type == typeof(DateTime)
                || type == typeof(float) || type == typeof(double);
            long nullCount = 0;
            IComparable? lo = null, hi = null;
            foreach (var row in rows)
            {
                var value = property.GetValue(row);
                if (value is null) { nullCount++; continue; }
                if (!ranged) continue;
                if (!Usable(value)) { ranged = false; continue; } // one unusable value (NaN, long string) voids min/max
                var v = (IComparable)value;
                if (lo is null || Compare(v, lo) < 0) lo = v;
                if (hi is null || Compare(v, hi) > 0) hi = v;
            }
            nulls[name] = nullCount;
            if (!ranged || lo is null || hi is null) continue;
            min[name] = ToJson(lo);
            max[name] = ToJson(hi);
        }
        return new JsonObject { ["numRecords"] = rows.Count, ["minValues"] = min, ["maxValues"] = max, ["nullCount"] = nulls }.ToJsonString();
    }

    private static bool Usable(object value) => value switch
    {
        string s => s.Length <= MaxStringLength,
        float f => !float.IsNaN(f),
        double d => !double.IsNaN(d),
        _ => true,
    };

    // Strings compare in code-point order, which is UTF-8 byte order (what Parquet and Spark use); UTF-16 ordinal
    // order differs only between surrogates and U+E000..U+FFFF, so those units are shifted into place.
    private static int Compare(IComparable a, IComparable b)
    {
        if (a is not string x || b is not string y) return a.CompareTo(b);
        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
            if (x[i] != y[i]) return CodePointRank(x[i]) - CodePointRank(y[i]);
        return x.Length - y.Length;
    }

    private static int CodePointRank(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;

    private static JsonNode? ToJson(object value) => value switch
    {
        // Timestamps at millisecond precision in UTC, as Spark writes them (the spec truncates stats to ms).
        DateTime t => JsonValue.Create(DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        _ => null,
    };
}
