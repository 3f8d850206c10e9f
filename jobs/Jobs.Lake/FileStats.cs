using System.Globalization;
using System.Text.Json.Nodes;

namespace Jobs.Lake;

/// <summary>
/// Per-file statistics (PROTOCOL.md "Per-file Statistics") computed from the values being written, never from
/// Parquet footers (Parquet.Net's are wrong for some strings and timestamps). Min/max only for the types Spark
/// skips on (numbers, strings ≤ 32 chars, timestamps), never NaN; nullCount for every data column; partition
/// columns are excluded. Wrong stats would make readers skip files silently, so anything doubtful is left out.
/// </summary>
internal sealed class FileStats<TRow>
{
    private const int MaxStringLength = 32;

    private static readonly (System.Reflection.PropertyInfo Property, string Name, bool Ranged)[] Columns =
        DeltaSchema.DataProperties(typeof(TRow)).Select(p =>
        {
            var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            var ranged = type == typeof(string) || type == typeof(long) || type == typeof(int) || type == typeof(DateTime)
                || type == typeof(float) || type == typeof(double);
            return (p, DeltaSchema.ColumnName(p), ranged);
        }).ToArray();

    private readonly Column[] _columns = Columns.Select(c => new Column { Ranged = c.Ranged }).ToArray();
    private long _rows;

    /// <summary>Counts <paramref name="row"/> into the file's stats: a file written a row group at a time gets the stats of all its rows.</summary>
    public void Add(TRow row)
    {
        _rows++;
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            var value = Columns[i].Property.GetValue(row);
            if (value is null) { column.Nulls++; continue; }
            if (!column.Ranged) continue;
            if (!Usable(value)) { column.Ranged = false; continue; } // one unusable value (NaN, long string) voids min/max
            var v = (IComparable)value;
            if (column.Lo is null || Compare(v, column.Lo) < 0) column.Lo = v;
            if (column.Hi is null || Compare(v, column.Hi) > 0) column.Hi = v;
        }
    }

    public string ToJson()
    {
        var min = new JsonObject();
        var max = new JsonObject();
        var nulls = new JsonObject();
        for (var i = 0; i < _columns.Length; i++)
        {
            var (name, column) = (Columns[i].Name, _columns[i]);
            nulls[name] = column.Nulls;
            if (!column.Ranged || column.Lo is null || column.Hi is null) continue;
            min[name] = ToJson(column.Lo);
            max[name] = ToJson(column.Hi);
        }
        return new JsonObject { ["numRecords"] = _rows, ["minValues"] = min, ["maxValues"] = max, ["nullCount"] = nulls }.ToJsonString();
    }

    private sealed class Column
    {
        public bool Ranged { get; set; }
        public long Nulls { get; set; }
        public IComparable? Lo { get; set; }
        public IComparable? Hi { get; set; }
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
