using System.Text;
using CsvHelper;

namespace Jobs.Ingest;

/// <summary>Reads RFC 4180 CSV with a header row; a row that does not match the header becomes a parse error.</summary>
public static class CsvRecordReader
{
    public static IEnumerable<SourceRecord> Read(string path, string sourceName)
    {
        var options = new CsvReaderOptions
        {
            HasHeader = true,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            AllowLineBreaksInQuotes = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow, // reported per row below, with the row's reference
            MalformedData = CsvMalformedDataHandling.Recover,
        };
        using var csv = CsvReader.FromFile(path, options, FileOptions.SequentialScan);
        IReadOnlyList<string>? header = null;
        while (csv.Read())
        {
            header ??= csv.Headers;
            var reference = $"{sourceName}:line {csv.LineNumber}";
            var raw = Encoding.UTF8.GetString(csv.RawRecord);
            if (csv.FieldCount != header.Count)
            {
                yield return new SourceRecord(sourceName, reference, null, $"has {csv.FieldCount} fields, header has {header.Count}", raw);
                continue;
            }
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Count; i++)
            {
                var value = csv.GetString(i);
                fields[header[i]] = value.Length == 0 ? null : value;
            }
            yield return new SourceRecord(sourceName, reference, fields, null, raw);
        }
    }
}
