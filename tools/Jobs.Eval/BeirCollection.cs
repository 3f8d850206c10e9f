using System.Text.Json;

namespace Jobs.Eval;

/// <summary>A BEIR collection: corpus.jsonl (_id, title, text), queries.jsonl (_id, text), qrels/&lt;split&gt;.tsv.</summary>
public sealed class BeirCollection
{
    public required string Name { get; init; }
    public required string Corpus { get; init; }
    public required IReadOnlyDictionary<string, string> Queries { get; init; }
    /// <summary>Query id → judged document id → grade.</summary>
    public required IReadOnlyDictionary<string, Dictionary<string, int>> Qrels { get; init; }

    public static BeirCollection Load(string folder, string split = "test")
    {
        var corpus = Path.Combine(folder, "corpus.jsonl");
        var qrelsFile = Path.Combine(folder, "qrels", split + ".tsv");
        foreach (var f in new[] { corpus, Path.Combine(folder, "queries.jsonl"), qrelsFile })
            if (!File.Exists(f)) throw new FileNotFoundException($"{f} is missing: not a BEIR collection");
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(qrelsFile).Skip(1))
        {
            var parts = line.Split('\t');
            if (parts.Length < 3) continue;
            if (!qrels.TryGetValue(parts[0], out var judged)) qrels[parts[0]] = judged = new(StringComparer.Ordinal);
            judged[parts[1]] = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        }
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(folder, "queries.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var id = doc.RootElement.GetProperty("_id").GetString()!;
            if (qrels.ContainsKey(id)) queries[id] = doc.RootElement.GetProperty("text").GetString()!;
        }
        return new BeirCollection { Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')), Corpus = corpus, Queries = queries, Qrels = qrels };
    }

    /// <summary>
    /// The corpus as the ingest stage reads it: BEIR documents are undated, so each gets the same day (one date
    /// chunk), and the title becomes the document's title (and, with <paramref name="titleInText"/>, the first line
    /// of its text, so that every chunk of a short abstract keeps its topic).
    /// </summary>
    public int WriteDatedCorpus(string path, string day, bool titleInText)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var count = 0;
        using var writer = new StreamWriter(path);
        foreach (var line in File.ReadLines(Corpus))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var title = root.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
            var text = root.GetProperty("text").GetString() ?? "";
            writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["id"] = root.GetProperty("_id").GetString()!,
                ["timestamp"] = day,
                ["title"] = title,
                ["text"] = titleInText && title.Length > 0 ? title + "\n" + text : text,
            }));
            count++;
        }
        return count;
    }
}
