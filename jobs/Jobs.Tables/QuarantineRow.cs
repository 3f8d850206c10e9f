using System.Text.Json.Serialization;

namespace Jobs.Tables;

/// <summary>
/// A source record that was refused (Delta table <c>quarantine</c>; day null when undated): the stage that refused it,
/// a reason from <see cref="QuarantineReasons"/>, the detail for a person, where it is (<c>file:line</c> or
/// <c>file:row</c>) and a truncated copy of the raw record.
/// </summary>
public sealed class QuarantineRow
{
    [JsonPropertyName("stage")] public string Stage { get; set; } = "";
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("record_ref")] public string RecordRef { get; set; } = "";
    [JsonPropertyName("record_id")] public string? RecordId { get; set; }
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";
    [JsonPropertyName("detail")] public string Detail { get; set; } = "";
    [JsonPropertyName("raw")] public string? Raw { get; set; }
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly? Day { get; set; }
}
