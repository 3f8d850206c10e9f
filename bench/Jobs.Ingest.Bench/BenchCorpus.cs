using System.Text.Json;

namespace Jobs.Ingest.Bench;

/// <summary>
/// A realistic corpus of any size: the SciFact abstracts (real scientific prose, ~1.5 KB each) repeated with new ids
/// and timestamps spread over the week of the bench chunk, written as JSON Lines in ingest's default field names.
/// </summary>
public static class BenchCorpus
{
    public const string Start = "2024-01-01";
    public const string End = "2024-01-08";

    /// <summary>The date chunk and lake arguments every stage run of the bench takes.</summary>
    public static string[] ChunkArgs(string lake) => ["--start", Start, "--end", End, "--lake", lake];

    public static IReadOnlyList<(string Title, string Text)> LoadSciFact(string path)
    {
        var docs = new List<(string, string)>();
        foreach (var line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var text = doc.RootElement.GetProperty("text").GetString() ?? "";
            if (text.Length > 0) docs.Add((doc.RootElement.GetProperty("title").GetString() ?? "", text));
        }
        return docs;
    }

    /// <summary>Writes <paramref name="records"/> records to <paramref name="path"/>; returns its size in bytes.</summary>
    public static long Write(string path, IReadOnlyList<(string Title, string Text)> source, int records)
    {
        using (var stream = File.Create(path))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true }))
        {
            for (var i = 0; i < records; i++)
            {
                var (title, text) = source[i % source.Count];
                json.WriteStartObject();
                json.WriteString("id", $"bench-{i:D9}");
                json.WriteString("timestamp", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 7919L % (7 * 86_400)));
                json.WriteString("title", title);
                json.WriteString("category", $"topic-{i % 13}");
                json.WriteString("text", text);
                json.WriteEndObject();
                json.Flush();
                stream.WriteByte((byte)'\n');
                json.Reset();
            }
        }
        return new FileInfo(path).Length;
    }

    /// <summary>The bare cost of the same input: read the lines and parse each with System.Text.Json, taking the fields ingest maps.</summary>
    public static long ParseOnly(string path)
    {
        long fields = 0;
        using var reader = new StreamReader(path);
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            foreach (var name in (ReadOnlySpan<string>)["id", "timestamp", "title", "category", "text"])
                if (doc.RootElement.TryGetProperty(name, out var value) && value.GetString() is { } s) fields += s.Length > 0 ? 1 : 0;
        }
        return fields;
    }
}
