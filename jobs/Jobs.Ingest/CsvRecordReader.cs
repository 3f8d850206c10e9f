using CsvHelper;
using Jobs.Tables;

namespace Jobs.Ingest;

/// <summary>
/// Reads RFC 4180 CSV with a header row (quoted fields may hold line breaks). A row that cannot be read becomes a
/// record with its problem, and the rows after it go on: the wrong field count, quoting that breaks the rules,
/// invalid UTF-8, a record over the size limit. A quote that is never closed would swallow the rest of the file, so
/// its row is refused and reading resumes on the next line after the quote.
/// </summary>
public static class CsvRecordReader
{
    public static IEnumerable<SourceRecord> Read(string path, string sourceName, int maxRecordBytes, char separator = ',')
    {
        IReadOnlyList<string>? header = null;
        long offset = 0, linesBefore = 0;
        while (true)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            stream.Seek(offset, SeekOrigin.Begin);
            var malformed = new List<CsvMalformedRecord>();
            var options = new CsvReaderOptions
            {
                HasHeader = header is null,
                Separator = separator,
                SkipEmptyLines = true,
                TrackLineNumbers = true,
                AllowLineBreaksInQuotes = true,
                FieldCountMismatch = CsvFieldCountHandling.Allow, // reported per row below, with the row's reference
                MalformedData = CsvMalformedDataHandling.Recover,
                OnMalformedRecord = malformed.Add,
                MaxRecordSize = maxRecordBytes,
            };
            using var csv = CsvReader.Create(stream, options, leaveOpen: false);
            long? resume = null;
            while (true)
            {
                malformed.Clear();
                var (more, tooLarge) = TryRead(csv);
                if (tooLarge is not null)
                {
                    var start = offset + tooLarge.ByteOffset;
                    yield return new SourceRecord(sourceName, $"{sourceName}:line {linesBefore + tooLarge.LineNumber}", null,
                        new(QuarantineReasons.RecordTooLarge, $"record is over the {maxRecordBytes}-byte record limit"), Preview(path, start));
                    resume = CsvRecordScanner.EndOfRecord(path, start, (byte)separator);
                    break;
                }
                if (!more) break;
                header ??= csv.Headers;
                var line = linesBefore + csv.LineNumber;
                var reference = $"{sourceName}:line {line}";
                var rawBytes = csv.RawRecord;
                var raw = StrictUtf8.Preview(rawBytes);
                if (malformed.FindIndex(m => m.Reason == CsvMalformedReason.UnterminatedQuote) is var u and >= 0)
                {
                    // The rest of the file is inside the quote: refuse the row, go on with the line after the quote.
                    resume = CsvRecordScanner.EndOfRecord(path, offset + csv.ByteOffset, (byte)separator);
                    yield return new SourceRecord(sourceName, reference, null,
                        new(QuarantineReasons.MalformedRecord, $"a quoted field is never closed; reading resumed on line {CsvRecordScanner.LinesBefore(path, resume.Value) + 1}"),
                        StrictUtf8.Preview(FirstLine(rawBytes)));
                    break;
                }
                if (StrictUtf8.TryDecode(rawBytes, out var utf8Problem) is null)
                {
                    yield return new SourceRecord(sourceName, reference, null, new(QuarantineReasons.InvalidUtf8, utf8Problem!), raw);
                    continue;
                }
                if (malformed.FindIndex(m => m.Reason is not (CsvMalformedReason.StrayQuote or CsvMalformedReason.FieldCountMismatch)) is var b and >= 0)
                {
                    var bad = malformed[b];
                    yield return new SourceRecord(sourceName, reference, null, new(QuarantineReasons.MalformedRecord, $"malformed CSV: {bad.Reason}"), raw);
                    continue;
                }
                if (csv.FieldCount != header.Count)
                {
                    yield return new SourceRecord(sourceName, reference, null,
                        new(QuarantineReasons.MalformedRecord, $"has {csv.FieldCount} fields, header has {header.Count}"), raw);
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
            if (resume is not { } next || header is null) yield break;
            linesBefore = CsvRecordScanner.LinesBefore(path, next);
            offset = next;
        }
    }

    private static (bool More, CsvFormatException? TooLarge) TryRead(CsvReader csv)
    {
        try
        {
            return (csv.Read(), null);
        }
        catch (CsvFormatException e) when (e.ByteOffset >= 0)
        {
            return (false, e);
        }
    }

    private static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> raw) => raw.IndexOf((byte)'\n') is var n and >= 0 ? raw[..n] : raw;

    private static string Preview(string path, long start)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[StrictUtf8.RawPreviewChars];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return StrictUtf8.Preview(FirstLine(buffer.AsSpan(0, read)));
    }
}
