using System.Text.Json;
using Jobs.Tables;

namespace Jobs.Ingest;

/// <summary>
/// Reads JSON Lines: one object per line. Every line that is not blank is one record; a line that cannot be read
/// (invalid UTF-8, malformed JSON, not an object, a repeated field, over the size limit) is a record with its
/// problem, never a crash, and the next line goes on.
/// </summary>
public static class JsonLinesReader
{
    public static IEnumerable<SourceRecord> Read(string path, string sourceName, int maxRecordBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        foreach (var line in Utf8LineReader.Read(stream, maxRecordBytes))
        {
            if (IsBlank(line.Bytes.Span) && !line.Truncated) continue; // separators, not records
            var reference = $"{sourceName}:{line.Number}";
            var raw = StrictUtf8.Preview(line.Bytes.Span);
            if (line.Truncated)
            {
                yield return new SourceRecord(sourceName, reference, null,
                    new(QuarantineReasons.RecordTooLarge, $"line of {line.Length} bytes is over the {maxRecordBytes}-byte record limit"), raw);
                continue;
            }
            if (StrictUtf8.TryDecode(line.Bytes.Span, out var utf8Problem) is not { } text)
            {
                yield return new SourceRecord(sourceName, reference, null, new(QuarantineReasons.InvalidUtf8, utf8Problem!), raw);
                continue;
            }
            var (fields, problem) = Parse(text);
            yield return new SourceRecord(sourceName, reference, fields, problem, raw);
        }
    }

    /// <summary>The object's fields by name (case-insensitive), or why the line is not one.</summary>
    public static (IReadOnlyDictionary<string, string?>? Fields, RecordProblem? Problem) Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return (null, new(QuarantineReasons.MalformedRecord, $"line is JSON {doc.RootElement.ValueKind}, not an object"));
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (names.TryGetValue(property.Name, out var earlier))
                    return (null, new(QuarantineReasons.DuplicateField, earlier == property.Name
                        ? $"field '{property.Name}' appears twice"
                        : $"fields '{earlier}' and '{property.Name}' differ only by case"));
                names[property.Name] = property.Name;
                fields[property.Name] = Scalar(property.Value);
            }
            return (fields, null);
        }
        catch (JsonException e)
        {
            return (null, new(QuarantineReasons.MalformedRecord, $"malformed JSON: {e.Message}"));
        }
        catch (InvalidOperationException e) // a string escaping a lone surrogate (\ud800) has no UTF-8 form
        {
            return (null, new(QuarantineReasons.InvalidUtf8, $"a JSON string cannot be decoded: {e.Message}"));
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }

    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => e.GetString(),
        _ => e.GetRawText(),
    };
}
