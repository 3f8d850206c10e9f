using System.Text.Json.Serialization;
using Jobs.Lake;
using Parquet.Serialization.Attributes;

namespace Jobs.Lake.Tests;

public sealed class TestRow
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime Ts { get; set; }
    [JsonPropertyName("vec")] public float[] Vec { get; set; } = [];
    [JsonIgnore] public string? Part { get; set; }

    public static readonly TableSpec<TestRow> Spec = new("rows", [new PartitionColumn("part", "string")],
        r => new Dictionary<string, string?> { ["part"] = r.Part }, (r, v) => r.Part = v["part"]);

    public static PartitionPredicate PartIs(params string?[] parts) =>
        new($"part IN ({string.Join(", ", parts)})", v => parts.Contains(v["part"]));

    public static IEnumerable<TestRow> Make(string? part, int from, int count) =>
        Enumerable.Range(from, count).Select(i => new TestRow
        {
            Id = i, Text = $"row {i}", Ts = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i), Vec = [i, i + 0.5f], Part = part,
        });
}
