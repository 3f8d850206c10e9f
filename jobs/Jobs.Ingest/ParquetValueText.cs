using System.Globalization;
using System.Text.Json;
using Parquet.Schema;

namespace Jobs.Ingest;

/// <summary>
/// A Parquet value as the text the record mapper reads: numbers and booleans in the invariant culture, timestamps as
/// RFC 3339 (with <c>Z</c> when the column is adjusted to UTC or INT96, without an offset otherwise, so
/// <c>--time-zone</c> applies), dates as <c>yyyy-MM-dd</c>, un-annotated byte arrays decoded as strict UTF-8 (a
/// problem when they are not), nested values (lists, structs, maps) as JSON.
/// </summary>
public static class ParquetValueText
{
    private static readonly JsonSerializerOptions RawOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static (string? Text, string? Problem) Of(object? value, Field? field) => value switch
    {
        null => (null, null),
        string s => (s, null),
        ReadOnlyMemory<char> m => (m.ToString(), null),
        byte[] b => Bytes(b),
        ReadOnlyMemory<byte> m => Bytes(m.Span),
        DateTime t => (Timestamp(t, field as DateTimeDataField), null),
        DateTimeOffset t => (t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture), null),
        DateOnly d => (d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null),
        TimeOnly t => (t.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture), null),
        TimeSpan t => (t.ToString("c", CultureInfo.InvariantCulture), null),
        bool b => (b ? "true" : "false", null),
        float f => (f.ToString("R", CultureInfo.InvariantCulture), null),
        double d => (d.ToString("R", CultureInfo.InvariantCulture), null),
        IFormattable f => (f.ToString(null, CultureInfo.InvariantCulture), null),
        _ => (Json(value), null),
    };

    /// <summary>The row as one JSON object of its text values, truncated: the quarantine's raw copy.</summary>
    public static string Raw(IReadOnlyDictionary<string, string?> fields) =>
        StrictUtf8.Truncate(JsonSerializer.Serialize(fields, RawOptions), StrictUtf8.RawPreviewChars);

    private static string Timestamp(DateTime t, DateTimeDataField? field)
    {
        var utc = t.Kind == DateTimeKind.Utc || field is { IsAdjustedToUTC: true } || field?.DateTimeFormat == DateTimeFormat.Impala;
        return t.ToString(utc ? "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
    }

    private static (string? Text, string? Problem) Bytes(ReadOnlySpan<byte> bytes) =>
        StrictUtf8.TryDecode(bytes, out var problem) is { } text ? (text, null) : (null, problem!.Replace("of the record", "of the value", StringComparison.Ordinal));

    private static string Json(object value)
    {
        try
        {
            return JsonSerializer.Serialize(value, RawOptions);
        }
        catch (NotSupportedException)
        {
            return Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }
    }
}
