using System.Globalization;
using System.Text.Json;
using CsvHelper;

namespace Jobs.Eval;

/// <summary>
/// Labelled text for the theme evaluation: a CSV with a header naming <c>label</c>, <c>title</c> and <c>text</c> (or
/// <c>description</c>, as AG News names it). Records get ids by row and days spread evenly over a year, so the themes
/// have periods to be counted in.
/// </summary>
public sealed record LabelledCsv(string Name, IReadOnlyList<LabelledCsv.Record> Records)
{
    public sealed record Record(string Id, string Label, string Text, DateOnly Day);

    public static LabelledCsv Load(string path, DateOnly firstDay, int days)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist");
        var name = Path.GetFileNameWithoutExtension(path) is var file && file is "test" or "train" or "data"
            ? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)))!
            : file;
        using var csv = CsvReader.FromFile(path, new CsvReaderOptions { HasHeader = true, SkipEmptyLines = true, AllowLineBreaksInQuotes = true });
        var rows = new List<(string Label, string Text)>();
        int label = -1, title = -1, text = -1;
        while (csv.Read())
        {
            if (label < 0)
            {
                var header = csv.Headers.Select(h => h.ToLowerInvariant()).ToList();
                label = header.IndexOf("label");
                title = header.IndexOf("title");
                text = header.IndexOf("text") is var t && t >= 0 ? t : header.IndexOf("description");
                if (label < 0 || text < 0)
                    throw new InvalidDataException($"{path}: a 'label' and a 'text' (or 'description') column are needed (header: {string.Join(',', header)})");
            }
            var body = csv.GetString(text);
            var heading = title >= 0 ? csv.GetString(title) : "";
            rows.Add((csv.GetString(label), heading.Length > 0 ? heading + "\n" + body : body));
        }
        return new LabelledCsv(name, [.. rows.Select((r, i) => new Record(
            $"{name}-{i + 1}", r.Label, r.Text, firstDay.AddDays((int)((long)i * days / Math.Max(1, rows.Count)))))]);
    }

    /// <summary>The records as the ingest stage reads them (JSON lines: id, timestamp, text; the label is left out).</summary>
    public void WriteJsonLines(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path);
        foreach (var r in Records)
            writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["id"] = r.Id, ["timestamp"] = r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["text"] = r.Text,
            }));
    }
}
