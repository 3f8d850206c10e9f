using System.Text.Json.Serialization;

namespace Jobs.Tables;

/// <summary>A source record that was refused, with the reason (Delta table <c>quarantine</c>; day null when undated).</summary>
public sealed class QuarantineRow
{
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("record_ref")] public string RecordRef { get; set; } = "";
    [JsonPropertyName("record_id")] public string? RecordId { get; set; }
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";
    [JsonPropertyName("raw")] public string? Raw { get; set; }
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly? Day { get; set; }
}
