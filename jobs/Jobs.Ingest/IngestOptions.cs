using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Jobs.Ingest.Duplicates;

namespace Jobs.Ingest;

/// <summary>Where ingest reads and how source fields map to documents (section <c>Ingest</c>, env <c>JOBS_INGEST__*</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    [Description("Source file or folder (repeat the flag for several); a folder or path may carry a date template, {yyyy}/{MM}/{dd} or day={yyyy}-{MM}-{dd}, so a run lists only its chunk's days"), Required(ErrorMessage = "is required: at least one --source file or folder"), MinLength(1, ErrorMessage = "is required: at least one --source file or folder")]
    public string[] Source { get; set; } = [];

    [Description("csv, jsonl, parquet or auto (by extension)")]
    public SourceFormat Format { get; set; } = SourceFormat.Auto;

    [Description("CSV field separator: one ASCII character (RFC 4180: a comma)"), Required(AllowEmptyStrings = false)]
    public string CsvSeparator { get; set; } = ",";

    [Description("Field holding the record id"), Required(AllowEmptyStrings = false)]
    public string IdField { get; set; } = "id";

    [Description("Field holding the timestamp"), Required(AllowEmptyStrings = false)]
    public string TimeField { get; set; } = "timestamp";

    [Description("Timestamp formats, tried in order (repeat the flag): rfc3339 (the default), rfc2822, or a .NET format such as dd/MM/yyyy HH:mm")]
    public string[] TimeFormat { get; set; } = [];

    [Description("Time zone of timestamps without an offset (IANA id, e.g. Europe/Paris)"), Required(AllowEmptyStrings = false)]
    public string TimeZone { get; set; } = "UTC";

    [Description("Field holding the text"), Required(AllowEmptyStrings = false)]
    public string TextField { get; set; } = "text";

    [Description("Field holding the category")]
    public string? CategoryField { get; set; } = "category";

    [Description("Field holding the title")]
    public string? TitleField { get; set; } = "title";

    [Description("Largest text in UTF-8 bytes; a longer one is quarantined (text_too_large)"), Range(1, 256 * 1024 * 1024, ErrorMessage = "must be between {1} and {2}")]
    public int MaxTextBytes { get; set; } = 1024 * 1024;

    [Description("Largest raw record (line or CSV row) in bytes; a longer one is quarantined (record_too_large) without being held in memory"), Range(1024, 1024 * 1024 * 1024, ErrorMessage = "must be between {1} and {2}")]
    public int MaxRecordBytes { get; set; } = 16 * 1024 * 1024;

    [Description("The run fails (exit 4) when the quarantined share of the chunk's records, or of the undated records among all read, is above this"), Range(0.0, 1.0, ErrorMessage = "must be between {1} and {2}")]
    public double MaxQuarantinedShare { get; set; } = 0.5;

    [Description("Which record keeps an id that records with different content share, over every day ingested: first or last by (timestamp, source, position); the others are quarantined (duplicate_id)")]
    public DuplicateIdRule DuplicateIds { get; set; } = DuplicateIdRule.First;
}
