using System.Text.Json.Serialization;
using Jobs.Lake;

namespace Jobs.Lake.Bench;

/// <summary>The shape of an embedding row: id, date, text and a 384-float vector.</summary>
public sealed class BenchRow
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("text")] public string Text { get; set; } = "";
    [JsonPropertyName("embedding")] public float[] Embedding { get; set; } = [];
    [JsonIgnore] public string Day { get; set; } = "";

    public static readonly TableSpec<BenchRow> Spec = new("bench", [new PartitionColumn("day", "date")],
        r => new Dictionary<string, string?> { ["day"] = r.Day }, (r, v) => r.Day = v["day"]!);

    /// <summary>Deterministic rows, spread over ten days in order (as a date-chunked job produces them).</summary>
    public static IEnumerable<BenchRow> Generate(int count)
    {
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            var vector = new float[384];
            for (var d = 0; d < vector.Length; d++) vector[d] = (float)random.NextDouble();
            yield return new BenchRow
            {
                Id = i, Text = $"passage {i} about topic {i % 97}", Embedding = vector,
                Day = new DateOnly(2024, 1, 1).AddDays((int)(i * 10L / count)).ToString("yyyy-MM-dd"),
            };
        }
    }
}
