using System.Globalization;
using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Ingest;

/// <summary>Turns a source record into a document, or says precisely why it must be quarantined.</summary>
public sealed class RecordMapper(ColumnMapping mapping)
{
    private static readonly string[] DateOnlyFormats = ["yyyy-MM-dd"];

    /// <summary>The record's day when its timestamp can be read, so date-chunk routing works even for bad records.</summary>
    public DateTime? TryTimestamp(SourceRecord record) =>
        record.Fields is { } f && f.TryGetValue(mapping.Timestamp, out var raw) && raw is not null ? ParseTimestamp(raw) : null;

    public string? IdOf(SourceRecord record) => record.Fields is { } f ? Get(f, mapping.Id) : null;

    public (DocumentRow? Document, string? Reason) Map(SourceRecord record, string runId)
    {
        if (record.ParseError is not null) return (null, record.ParseError);
        var fields = record.Fields!;
        var id = Get(fields, mapping.Id)?.Trim();
        if (string.IsNullOrEmpty(id)) return (null, $"missing id (field '{mapping.Id}')");
        var rawTime = Get(fields, mapping.Timestamp);
        if (string.IsNullOrWhiteSpace(rawTime)) return (null, $"missing timestamp (field '{mapping.Timestamp}')");
        if (ParseTimestamp(rawTime) is not { } ts) return (null, $"invalid timestamp '{Truncate(rawTime, 40)}' (field '{mapping.Timestamp}'; expected ISO-8601)");
        var text = Get(fields, mapping.Text);
        if (string.IsNullOrWhiteSpace(text)) return (null, $"empty text (field '{mapping.Text}')");
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        return (new DocumentRow
        {
            DocId = id,
            Timestamp = ts,
            Day = DateOnly.FromDateTime(ts),
            Title = mapping.Title is null ? null : Get(fields, mapping.Title),
            Category = mapping.Category is null ? null : Get(fields, mapping.Category),
            Text = text,
            Source = record.Source,
            ContentHash = ContentHash.Of(text),
            RunId = runId,
        }, null);
    }

    /// <summary>ISO-8601 date or date-time; without an offset it is taken as UTC. Returned in UTC.</summary>
    public static DateTime? ParseTimestamp(string raw)
    {
        raw = raw.Trim();
        if (DateOnly.TryParseExact(raw, DateOnlyFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto) && raw.Length >= 10 && raw[4] == '-'
            ? dto.UtcDateTime
            : null;
    }

    private static string? Get(IReadOnlyDictionary<string, string?> fields, string name) => fields.TryGetValue(name, out var v) ? v : null;

    internal static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
