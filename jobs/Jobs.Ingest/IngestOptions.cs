using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Jobs.Ingest.Duplicates;

namespace Jobs.Ingest;

/// <summary>Where ingest reads and how source fields map to documents (section <c>Ingest</c>, env <c>JOBS_INGEST__*</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    [Description("Source file or folder (repeat the flag for several), read with the flags' mapping; a folder or path may carry a date template, {yyyy}/{MM}/{dd} or day={yyyy}-{MM}-{dd}, so a run lists only its chunk's days. At least one --source or Ingest:Sources entry is required")]
    public string[] Source { get; set; } = [];

    [Description("csv, jsonl, parquet, delta (a table folder or az://…), postgres (--source is a query using @start and @end) or auto (by extension; a folder with _delta_log is a Delta table)")]
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

    [Description("Extra fields kept in the documents' JSON column metadata (repeat the flag)")]
    public string[] MetadataField { get; set; } = [];

    [Description("Sources each with its own location, format and mapping, set in the --config file (JSON or YAML) under Ingest:Sources: Location, Format, CsvSeparator, IdField, TimeField, TimeFormat, TimeZone, TextFields, TitleField, CategoryField, MetadataFields; a mapping setting left out takes its flag's value")]
    public SourceOptions[] Sources { get; set; } = [];

    [Description("Largest text in UTF-8 bytes; a longer one is quarantined (text_too_large)"), Range(1, 256 * 1024 * 1024, ErrorMessage = "must be between {1} and {2}")]
    public int MaxTextBytes { get; set; } = 1024 * 1024;

    [Description("Largest raw record (line or CSV row) in bytes; a longer one is quarantined (record_too_large) without being held in memory"), Range(1024, 1024 * 1024 * 1024, ErrorMessage = "must be between {1} and {2}")]
    public int MaxRecordBytes { get; set; } = 16 * 1024 * 1024;

    [Description("The run fails (exit 4) when the quarantined share of the chunk's records, or of the undated records among all read, is above this"), Range(0.0, 1.0, ErrorMessage = "must be between {1} and {2}")]
    public double MaxQuarantinedShare { get; set; } = 0.5;

    [Description("Delta source: the date partition column to prune by (type date, or yyyy-MM-dd strings); default: a partition column named day or date, else the table's only date partition column")]
    public string? PartitionColumn { get; set; }

    [Description("PostgreSQL source: name of the environment variable holding its connection string (Npgsql keywords or postgresql:// URI); the value is never logged")]
    public string? SourcePgEnv { get; set; }

    [Description("Reduce HTML to text (tags removed, entities decoded, blocks as line breaks, script and style dropped): auto (when the text holds HTML tags), on or off")]
    public HtmlMode Html { get; set; } = HtmlMode.Auto;

    [Description("Strip e-mail quoting (> lines and the line introducing them, a forwarded original) and the signature below a '-- ' line")]
    public bool StripEmailQuotes { get; set; }

    [Description("Which record keeps an id that records with different content share, over every day ingested: first or last by (timestamp, source, position); the others are quarantined (duplicate_id)")]
    public DuplicateIdRule DuplicateIds { get; set; } = DuplicateIdRule.First;
}
