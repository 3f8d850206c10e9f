using System.Globalization;
using System.Reflection;
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
            var values = rows.Select(r => property.GetValue(r)).ToList();
            nulls[name] = values.Count(v => v is null);
            var present = values.Where(v => v is not null).ToList();
            if (present.Count == 0 || !Comparable(property, present)) continue;
            var ordered = present.Cast<IComparable>().Order(Comparer<IComparable>.Create(Compare)).ToList();
            min[name] = ToJson(ordered[0]);
            max[name] = ToJson(ordered[^1]);
        }
        return new JsonObject { ["numRecords"] = rows.Count, ["minValues"] = min, ["maxValues"] = max, ["nullCount"] = nulls }.ToJsonString();
    }

    private static bool Comparable(PropertyInfo property, List<object?> values)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type == typeof(string)) return values.All(v => ((string)v!).Length <= MaxStringLength);
        if (type == typeof(float)) return values.All(v => !float.IsNaN((float)v!));
        if (type == typeof(double)) return values.All(v => !double.IsNaN((double)v!));
        return type == typeof(long) || type == typeof(int) || type == typeof(DateTime);
    }

    // Strings compare by UTF-8 bytes (ordinal on UTF-16 differs for astral characters), as Parquet and Spark do.
    private static int Compare(IComparable a, IComparable b) => a is string x && b is string y
        ? System.Text.Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(y))
        : a.CompareTo(b);

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
