using System.Text;
using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Ingest;

/// <summary>Turns a source record into a document, or says precisely why it must be quarantined.</summary>
public sealed class RecordMapper(ColumnMapping mapping, TimestampParser? timestamps = null, int maxTextBytes = 1024 * 1024,
    HtmlMode html = HtmlMode.Auto, bool stripEmailQuotes = false)
{
    private readonly TimestampParser _timestamps = timestamps ?? TimestampParser.Default;

    /// <summary>The record's instant when its timestamp can be read, so date-chunk routing works even for bad records.</summary>
    public DateTime? TryTimestamp(SourceRecord record) =>
        record.Fields is { } f && Get(f, mapping.Timestamp) is { } raw && !string.IsNullOrWhiteSpace(raw) ? _timestamps.Parse(raw).Utc : null;

    public string? IdOf(SourceRecord record) => record.Fields is { } f ? Get(f, mapping.Id) : null;

    public (DocumentRow? Document, RecordProblem? Problem) Map(SourceRecord record, string runId)
    {
        if (record.Problem is not null) return (null, record.Problem);
        var fields = record.Fields!;
        if (Unstorable(fields) is { } unstorable) return (null, unstorable);
        var id = Get(fields, mapping.Id)?.Trim();
        if (string.IsNullOrEmpty(id)) return (null, new(QuarantineReasons.MissingId, $"missing id (field '{mapping.Id}')"));
        var rawTime = Get(fields, mapping.Timestamp);
        if (string.IsNullOrWhiteSpace(rawTime)) return (null, new(QuarantineReasons.MissingTimestamp, $"missing timestamp (field '{mapping.Timestamp}')"));
        var parsed = _timestamps.Parse(rawTime);
        if (parsed.Utc is not { } ts)
            return (null, new(parsed.OutOfRange ? QuarantineReasons.TimestampOutOfRange : QuarantineReasons.InvalidTimestamp,
                $"timestamp '{StrictUtf8.Truncate(rawTime, 40)}' (field '{mapping.Timestamp}'): {parsed.Problem}"));
        var text = mapping.TextFields.Count == 1 ? TextNormalizer.Normalize(Get(fields, mapping.Text), html, stripEmailQuotes)
            : string.Join("\n\n", mapping.TextFields.Select(f => TextNormalizer.Normalize(Get(fields, f), html, stripEmailQuotes)).Where(t => t.Length > 0));
        if (text.Length == 0) return (null, new(QuarantineReasons.EmptyText, $"empty text ({mapping.DescribeText()})"));
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > maxTextBytes) return (null, new(QuarantineReasons.TextTooLarge, $"text of {bytes} UTF-8 bytes is over the {maxTextBytes}-byte limit ({mapping.DescribeText()})"));
        var metadata = MetadataJson.Of(mapping.MetadataFields, fields);
        if (metadata is not null && Encoding.UTF8.GetByteCount(metadata) is var metadataBytes && metadataBytes > maxTextBytes)
            return (null, new(QuarantineReasons.TextTooLarge, $"metadata of {metadataBytes} UTF-8 bytes is over the {maxTextBytes}-byte limit (fields {string.Join(", ", mapping.MetadataFields.Select(f => $"'{f}'"))})"));
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
            Metadata = metadata,
        }, null);
    }

    /// <summary>A mapped field PostgreSQL <c>text</c> could not store: a NUL, or a lone surrogate (no UTF-8 form).</summary>
    private RecordProblem? Unstorable(IReadOnlyDictionary<string, string?> fields)
    {
        foreach (var name in new[] { mapping.Id, mapping.Timestamp, mapping.Title, mapping.Category }.Concat(mapping.TextFields).Concat(mapping.MetadataFields))
        {
            if (name is null || Get(fields, name) is not { } value) continue;
            if (value.Contains('\0', StringComparison.Ordinal))
                return new(QuarantineReasons.NulCharacter, $"field '{name}' holds a NUL character at position {value.IndexOf('\0', StringComparison.Ordinal)}, which PostgreSQL text cannot store");
            if (LoneSurrogate(value) is { } at)
                return new(QuarantineReasons.InvalidUtf8, $"field '{name}' holds an unpaired surrogate at position {at}, which has no UTF-8 form");
        }
        return null;
    }

    private static int? LoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            return i;
        }
        return null;
    }

    private static string? Get(IReadOnlyDictionary<string, string?> fields, string name) => fields.TryGetValue(name, out var v) ? v : null;
}
