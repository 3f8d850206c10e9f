namespace Jobs.Tables;

/// <summary>
/// The fixed list of reasons a record is refused (the <c>reason</c> column of <c>quarantine</c>); the row's
/// <c>detail</c> says what exactly was wrong, for a person. Add a reason here, never a free-form one elsewhere.
/// </summary>
public static class QuarantineReasons
{
    /// <summary>Not a record of the format: malformed JSON, a line that is not an object, a CSV row with bad quoting or the wrong field count.</summary>
    public const string MalformedRecord = "malformed_record";
    /// <summary>A JSON object naming the same field twice (or two names differing only by case): which value is meant is unknown.</summary>
    public const string DuplicateField = "duplicate_field";
    /// <summary>Bytes that are not valid UTF-8 (decoded strictly, never replaced by U+FFFD), or a JSON escape of a lone surrogate.</summary>
    public const string InvalidUtf8 = "invalid_utf8";
    /// <summary>The raw record is larger than the reader's limit (a runaway line or quote).</summary>
    public const string RecordTooLarge = "record_too_large";
    public const string MissingId = "missing_id";
    public const string MissingTimestamp = "missing_timestamp";
    /// <summary>The timestamp matches none of the configured formats.</summary>
    public const string InvalidTimestamp = "invalid_timestamp";
    /// <summary>The timestamp is well-formed but names no instant that can be stored (month 13, year 10000 once in UTC, a local time skipped by DST) or lies outside the configured bounds.</summary>
    public const string TimestampOutOfRange = "timestamp_out_of_range";
    /// <summary>No text left after normalisation.</summary>
    public const string EmptyText = "empty_text";
    /// <summary>The text is over the configured size limit (UTF-8 bytes).</summary>
    public const string TextTooLarge = "text_too_large";
    /// <summary>A NUL character, which PostgreSQL <c>text</c> cannot store.</summary>
    public const string NulCharacter = "nul_character";
    /// <summary>An id already taken by a record with different content (an exact duplicate is counted and dropped, not quarantined).</summary>
    public const string DuplicateId = "duplicate_id";
    /// <summary>A record of a date-partitioned source dated outside the chunk its folder belongs to: no run over its own day lists that folder.</summary>
    public const string OutsidePartition = "outside_partition";

    public static readonly IReadOnlyList<string> All =
    [
        MalformedRecord, DuplicateField, InvalidUtf8, RecordTooLarge, MissingId, MissingTimestamp, InvalidTimestamp,
        TimestampOutOfRange, EmptyText, TextTooLarge, NulCharacter, DuplicateId, OutsidePartition,
    ];
}
