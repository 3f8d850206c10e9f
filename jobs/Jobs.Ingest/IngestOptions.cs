using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Ingest;

/// <summary>Where ingest reads and how source fields map to documents (section <c>Ingest</c>, env <c>JOBS_INGEST__*</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    [Description("Source file or folder (repeat the flag for several)"), Required(ErrorMessage = "is required: at least one --source file or folder"), MinLength(1, ErrorMessage = "is required: at least one --source file or folder")]
    public string[] Source { get; set; } = [];

    [Description("csv, jsonl or auto (by extension)")]
    public SourceFormat Format { get; set; } = SourceFormat.Auto;

    [Description("Field holding the record id"), Required(AllowEmptyStrings = false)]
    public string IdField { get; set; } = "id";

    [Description("Field holding the ISO-8601 timestamp"), Required(AllowEmptyStrings = false)]
    public string TimeField { get; set; } = "timestamp";

    [Description("Field holding the text"), Required(AllowEmptyStrings = false)]
    public string TextField { get; set; } = "text";

    [Description("Field holding the category")]
    public string? CategoryField { get; set; } = "category";

    [Description("Field holding the title")]
    public string? TitleField { get; set; } = "title";
}
