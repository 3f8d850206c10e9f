using System.Text.Json;

namespace Jobs.Ingest;

/// <summary>Reads JSON Lines: one object per line; a line that is not a JSON object becomes a parse error, not a crash.</summary>
public static class JsonLinesReader
{
    public static IEnumerable<SourceRecord> Read(string path, string sourceName)
    {
        using var reader = new StreamReader(path);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue; // separators, not records
            var reference = $"{sourceName}:{lineNumber}";
            Dictionary<string, string?>? fields = null;
            string? error = null;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) error = $"line is JSON {doc.RootElement.ValueKind}, not an object";
                else fields = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => Scalar(p.Value), StringComparer.OrdinalIgnoreCase);
            }
            catch (JsonException e)
            {
                error = $"malformed JSON: {e.Message}";
            }
            yield return new SourceRecord(sourceName, reference, fields, error, line);
        }
    }

    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => e.GetString(),
        _ => e.GetRawText(),
    };
}
