using System.Text.Encodings.Web;
using System.Text.Json;

namespace Jobs.Ingest;

/// <summary>
/// The documents' <c>metadata</c> column: the mapped extra fields as one JSON object, in the mapping's order, each
/// value the field's text as the source gives it (a nested JSON value as its JSON text) or null when it is absent.
/// </summary>
public static class MetadataJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string? Of(IReadOnlyList<string> names, IReadOnlyDictionary<string, string?> fields)
    {
        if (names.Count == 0) return null;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            foreach (var name in names)
            {
                if (fields.TryGetValue(name, out var value) && value is not null) json.WriteString(name, value);
                else json.WriteNull(name);
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The object's fields as text (null for JSON null), for readers of the column.</summary>
    public static IReadOnlyDictionary<string, string?> Parse(string? metadata)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(metadata)) return result;
        using var doc = JsonDocument.Parse(metadata);
        foreach (var p in doc.RootElement.EnumerateObject()) result[p.Name] = p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString();
        return result;
    }
}
