using System.Text.Json.Serialization;
using Jobs.Lake;

namespace Jobs.DeltaTool;

/// <summary>Rows written by `append-demo`, which tests run as separate processes to race and kill writers.</summary>
public sealed class DemoRow
{
    [JsonPropertyName("writer")] public int Writer { get; set; }
    [JsonPropertyName("commit")] public int Commit { get; set; }
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("text")] public string Text { get; set; } = "";
    [JsonIgnore] public string Part { get; set; } = "";

    public static readonly TableSpec<DemoRow> Spec = new("demo", [new PartitionColumn("part", "string")],
        r => new Dictionary<string, string?> { ["part"] = r.Part }, (r, v) => r.Part = v["part"] ?? "");
}
