using System.Globalization;
using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// One record carrying a document id, placed in the total order the duplicate rule uses: timestamp (to the
/// millisecond the lake keeps), then source, then the record's number in it (<c>file:line</c>, <c>file:row</c>).
/// </summary>
public sealed record IdCandidate(string DocId, DateTime Timestamp, string Source, string RecordRef, string RecordHash, DateOnly Day)
{
    public static IdCandidate Of(DocumentRow doc, string recordRef) =>
        new(doc.DocId, Millis(doc.Timestamp), doc.Source, recordRef, HashOf(doc), doc.Day);

    public static IdCandidate Of(DocumentIdRow row) => new(row.DocId, Millis(row.Timestamp), row.Source, row.RecordRef, row.RecordHash, row.Day);

    public DocumentIdRow ToRow() => new() { DocId = DocId, Timestamp = Timestamp, Source = Source, RecordRef = RecordRef, RecordHash = RecordHash, Day = Day };

    /// <summary>What the stored document holds: equal hashes mean an exact duplicate (counted and dropped, never quarantined).</summary>
    public static string HashOf(DocumentRow doc) => ContentHash.Of(doc.Text, doc.Title ?? "", doc.Category ?? "", Iso(doc.Timestamp));

    /// <summary>The instant as the lake stores it (milliseconds, UTC), so a record and its stored copy compare equal.</summary>
    public static DateTime Millis(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    public static string Iso(DateTime t) => Millis(t).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Where the record is, for a person: its source position and day.</summary>
    public string Describe() => $"{RecordRef} of {DateChunk.FormatDay(Day)}";

    /// <summary>Same record: same id, day and content (the reference may differ only for exact duplicates, which are one).</summary>
    public bool SameRecord(IdCandidate other) => DocId == other.DocId && Day == other.Day && RecordHash == other.RecordHash;

    /// <summary>The total order of the rule: timestamp, source, the record's number in its source, then the reference itself.</summary>
    public static int Compare(IdCandidate a, IdCandidate b)
    {
        var c = a.Timestamp.CompareTo(b.Timestamp);
        if (c == 0) c = string.CompareOrdinal(a.Source, b.Source);
        if (c == 0) c = Position(a.RecordRef).CompareTo(Position(b.RecordRef));
        return c != 0 ? c : string.CompareOrdinal(a.RecordRef, b.RecordRef);
    }

    /// <summary>The winner among the candidates of one id under <paramref name="rule"/>.</summary>
    public static IdCandidate Winner(IEnumerable<IdCandidate> candidates, DuplicateIdRule rule) =>
        rule == DuplicateIdRule.First ? candidates.Aggregate((a, b) => Compare(a, b) <= 0 ? a : b) : candidates.Aggregate((a, b) => Compare(a, b) >= 0 ? a : b);

    /// <summary>The number that ends the reference (<c>file:14</c>, <c>file:row 11</c>), or -1.</summary>
    private static long Position(string recordRef)
    {
        var start = recordRef.Length;
        while (start > 0 && char.IsAsciiDigit(recordRef[start - 1])) start--;
        return start < recordRef.Length && long.TryParse(recordRef.AsSpan(start), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }
}
