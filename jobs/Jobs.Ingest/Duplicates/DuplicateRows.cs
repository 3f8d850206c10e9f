using System.Text.Json;
using Jobs.Tables;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// The quarantine row of a record that lost its id to another one. Its <c>raw</c> is the document it would have been
/// (JSON, truncated like any raw copy), built the same way whether the run that decided read the record from its
/// source or moved it out of <c>documents</c>, so the table does not depend on which run found the duplicate.
/// </summary>
public static class DuplicateRows
{
    public static QuarantineRow For(DocumentRow doc, IdCandidate loser, IdCandidate winner, DuplicateIdRule rule, string runId) => new()
    {
        Stage = IngestWork.StageName, Source = loser.Source, RecordRef = loser.RecordRef, RecordId = StrictUtf8.Truncate(loser.DocId, 200),
        Reason = QuarantineReasons.DuplicateId, Detail = Detail(loser, winner, rule), Raw = Raw(doc), RunId = runId, Day = loser.Day,
    };

    public static string Detail(IdCandidate loser, IdCandidate winner, DuplicateIdRule rule) =>
        $"duplicate id '{StrictUtf8.Truncate(loser.DocId, 200)}' with different content: kept {winner.Describe()} (--duplicate-ids {rule.ToString().ToLowerInvariant()})";

    private static string Raw(DocumentRow doc) => StrictUtf8.Truncate(JsonSerializer.Serialize(new Dictionary<string, string?>
    {
        ["doc_id"] = doc.DocId, ["ts"] = IdCandidate.Iso(doc.Timestamp), ["title"] = doc.Title, ["category"] = doc.Category, ["source"] = doc.Source, ["text"] = doc.Text,
    }, Json), StrictUtf8.RawPreviewChars);

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The document a duplicate row was made from, when its raw copy holds it whole (not truncated).</summary>
    public static DocumentRow? Restore(QuarantineRow row, string runId)
    {
        if (row.Raw is not { } raw || raw.EndsWith('…')) return null;
        try
        {
            var f = JsonSerializer.Deserialize<Dictionary<string, string?>>(raw);
            if (f is null || f.GetValueOrDefault("doc_id") is not { } id || f.GetValueOrDefault("text") is not { } text || f.GetValueOrDefault("ts") is not { } ts
                || !DateTime.TryParse(ts, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var when))
                return null;
            return new DocumentRow
            {
                DocId = id, Timestamp = DateTime.SpecifyKind(when, DateTimeKind.Utc), Day = DateOnly.FromDateTime(when), Title = f.GetValueOrDefault("title"),
                Category = f.GetValueOrDefault("category"), Source = f.GetValueOrDefault("source") ?? row.Source, Text = text,
                ContentHash = Jobs.Contracts.ContentHash.Of(text), RunId = runId,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
