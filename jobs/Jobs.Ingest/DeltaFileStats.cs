using System.Globalization;
using System.Text.Json;

namespace Jobs.Ingest;

/// <summary>
/// The part of a Delta add's <c>stats</c> (PROTOCOL.md "Per-file Statistics") that ingest uses: the row count, and
/// the min, max and null count of the timestamp column. Anything missing or unreadable is null: a file without usable
/// stats is read, never skipped (wrong stats would lose records silently).
/// </summary>
public sealed record DeltaFileStats(long? NumRecords, string? Min, string? Max, long? NullCount)
{
    public static DeltaFileStats? Parse(string? stats, string? column)
    {
        if (string.IsNullOrWhiteSpace(stats)) return null;
        try
        {
            using var doc = JsonDocument.Parse(stats);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            long? records = root.TryGetProperty("numRecords", out var n) && n.TryGetInt64(out var count) ? count : null;
            return new(records, Value(root, "minValues", column), Value(root, "maxValues", column),
                column is not null && root.TryGetProperty("nullCount", out var nulls) && nulls.ValueKind == JsonValueKind.Object
                    && nulls.TryGetProperty(column, out var nc) && nc.TryGetInt64(out var c) ? c : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Value(JsonElement root, string section, string? column) =>
        column is not null && root.TryGetProperty(section, out var values) && values.ValueKind == JsonValueKind.Object
        && values.TryGetProperty(column, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// Whether no row of the file can be dated inside [<paramref name="start"/>, <paramref name="end"/>) (UTC), by the
    /// min/max of a <c>timestamp</c>, <c>timestamp_ntz</c> or <c>date</c> column. Stats are truncated to milliseconds,
    /// which never moves a bound across a whole-day limit; zone-less types are widened by a day on each side (their
    /// zone is --time-zone). A file holding null timestamps is never skipped: its undated records belong to every run.
    /// </summary>
    public bool OutsideRange(string type, DateTime start, DateTime end)
    {
        if (NullCount is not 0 || Min is null || Max is null) return false;
        var slack = type == "timestamp" ? TimeSpan.Zero : TimeSpan.FromDays(1);
        if (Instant(Min, type) is not { } min || Instant(Max, type) is not { } max) return false;
        if (type == "date") max = max.AddDays(1); // the whole last day
        return max + slack < start || min - slack >= end || (type == "date" && max + slack == start);
    }

    private static DateTime? Instant(string value, string type)
    {
        var c = CultureInfo.InvariantCulture;
        return type switch
        {
            "date" => DateOnly.TryParseExact(value, "yyyy-MM-dd", c, DateTimeStyles.None, out var d) ? d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : null,
            "timestamp" => DateTimeOffset.TryParse(value, c, DateTimeStyles.AssumeUniversal, out var t) ? t.UtcDateTime : null,
            "timestamp_ntz" => DateTime.TryParse(value, c, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null,
            _ => null,
        };
    }
}
