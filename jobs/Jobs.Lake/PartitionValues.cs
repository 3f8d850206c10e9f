using System.Globalization;

namespace Jobs.Lake;

/// <summary>
/// Turns the log's serialized partition values into typed values (PROTOCOL.md "Partition Value Serialization"):
/// null (or an empty string) is null; numbers, booleans, dates, timestamps and decimals are in their string forms.
/// </summary>
public static class PartitionValues
{
    private static readonly string[] TimestampFormats =
        ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"];

    /// <param name="sessionZone">
    /// The zone of zone-less timestamp values ("2021-09-08 11:11:11"): Spark writes them in its session time zone,
    /// which the log does not record. UTC when null; ISO-8601 values ending in Z are always UTC.
    /// </param>
    public static object? Parse(string? value, string type, string column, TimeZoneInfo? sessionZone = null)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var c = CultureInfo.InvariantCulture;
        try
        {
            return type switch
            {
                "string" => value,
                "long" => long.Parse(value, c),
                "integer" => int.Parse(value, c),
                "short" => short.Parse(value, c),
                "byte" => sbyte.Parse(value, c),
                "float" => float.Parse(value, c),
                "double" => double.Parse(value, c),
                "boolean" => bool.Parse(value),
                "date" => DateOnly.ParseExact(value, "yyyy-MM-dd", c),
                "timestamp" => ParseTimestamp(value, sessionZone ?? TimeZoneInfo.Utc),
                "timestamp_ntz" => ParseTimestamp(value, TimeZoneInfo.Utc),
                "binary" => System.Text.Encoding.UTF8.GetBytes(value),
                _ when type.StartsWith("decimal", StringComparison.Ordinal) => decimal.Parse(value, NumberStyles.Number | NumberStyles.AllowExponent, c),
                _ => throw new DeltaUnsupportedException($"partition column {column} has type {type}, which is not supported"),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new DeltaProtocolException($"partition column {column}: '{value}' is not a valid {type} ({e.Message})");
        }
    }

    private static DateTime ParseTimestamp(string value, TimeZoneInfo zone)
    {
        var c = CultureInfo.InvariantCulture;
        if (value.EndsWith('Z'))
            return DateTime.ParseExact(value, TimestampFormats, c, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var local = DateTime.ParseExact(value, TimestampFormats, c, DateTimeStyles.None);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
    }
}
