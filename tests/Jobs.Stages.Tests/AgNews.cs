using System.Globalization;
using System.Text.Json;
using Jobs.Eval;
using Jobs.Testing;

namespace Jobs.Stages.Tests;

/// <summary>Real news text (AG News test split from ../shared/testdata) as ingest input.</summary>
internal static class AgNews
{
    public static string Csv => Path.Combine(RepoPaths.SharedTestData, "agnews", "test.csv");

    /// <summary>Writes the first <paramref name="count"/> records with this label as JSON lines, one day apart; returns their ids.</summary>
    public static HashSet<string> WriteJsonLines(string path, string label, int count, DateOnly firstDay)
    {
        var records = LabelledCsv.Load(Csv, firstDay, days: 1).Records.Where(r => r.Label == label).Take(count).ToList();
        using var writer = new StreamWriter(path);
        for (var i = 0; i < records.Count; i++)
            writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["id"] = records[i].Id,
                ["timestamp"] = firstDay.AddDays(i % 28).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["text"] = records[i].Text,
            }));
        return [.. records.Select(r => r.Id)];
    }
}
