using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Quality;

/// <summary>
/// Checks after ingest, on the chunk's <c>documents</c> and <c>quarantine</c> rows: documents are present, ids unique,
/// text neither empty nor oversized and matching its hash (errors); quarantine share and freshness (warnings). The date
/// chunk, never the clock, is the reference for freshness, so a re-run gives the same verdict.
/// </summary>
public sealed class IngestAudit(QualityOptions options, DateChunk chunk)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly SampleTally _duplicate = new(options.SampleRows), _empty = new(options.SampleRows), _oversized = new(options.SampleRows),
        _hash = new(options.SampleRows), _quarantined = new(options.SampleRows);
    private long _documents;
    private int _longest;
    private DateOnly? _newest;

    public void AddDocument(DocumentRow doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        _documents++;
        if (!_ids.Add(doc.DocId)) _duplicate.Fail(doc.DocId);
        if (string.IsNullOrWhiteSpace(doc.Text)) _empty.Fail(doc.DocId);
        _longest = Math.Max(_longest, doc.Text.Length);
        if (doc.Text.Length > options.MaxDocumentChars) _oversized.Fail(doc.DocId);
        if (ContentHash.Of(doc.Text) != doc.ContentHash) _hash.Fail(doc.DocId);
        if (_newest is null || doc.Day > _newest) _newest = doc.Day;
    }

    public void AddQuarantined(QuarantineRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _quarantined.Fail(row.RecordRef);
    }

    public IReadOnlyList<CheckResult> Results()
    {
        const CheckPoint p = CheckPoint.Ingest;
        var records = _documents + _quarantined.Count;
        var lastDay = chunk.End.AddDays(-1);
        var staleness = _newest is { } newest ? lastDay.DayNumber - newest.DayNumber : chunk.Days;
        return
        [
            CheckResult.AtLeast(p, "documents_present", Severity.Warning, _documents, options.MinDocuments, records),
            CheckResult.Rows(p, "document_ids_unique", Severity.Error, _documents, _duplicate),
            CheckResult.Rows(p, "documents_have_text", Severity.Error, _documents, _empty),
            CheckResult.AtMost(p, "document_text_size", Severity.Error, _longest, options.MaxDocumentChars, _documents, _oversized),
            CheckResult.Rows(p, "document_hashes_match_text", Severity.Error, _documents, _hash),
            CheckResult.AtMost(p, "quarantine_share", Severity.Warning, records == 0 ? 0 : (double)_quarantined.Count / records,
                options.MaxQuarantineShare, records, _quarantined),
            CheckResult.AtMost(p, "freshness_days", Severity.Warning, staleness, options.MaxStalenessDays, _documents, new SampleTally(0)),
        ];
    }
}
