namespace Jobs.Ingest;

/// <summary>
/// A file to read: its full path, the name records refer to (relative to its --source), its format, and the day
/// of its date-template folder when the source has one (an undated record of that file is quarantined on that day).
/// A part that is not a local file (a Delta data file, a PostgreSQL query) is read through its <see cref="Origin"/>.
/// </summary>
public sealed record SourceFile(string Path, string Name, SourceFormat Format, DateOnly? Day = null, char Separator = ',', IRecordSource? Origin = null)
{
    public long Length => Origin?.Length ?? new FileInfo(Path).Length;

    public IEnumerable<SourceRecord> Read(int maxRecordBytes) => Origin?.Read(maxRecordBytes) ?? Format switch
    {
        SourceFormat.Csv => CsvRecordReader.Read(Path, Name, maxRecordBytes, Separator),
        SourceFormat.Parquet => ParquetRecordReader.Read(Path, Name),
        _ => JsonLinesReader.Read(Path, Name, maxRecordBytes),
    };

    /// <summary>The file's records counted apart from the readers, for the reconciliation (Parquet: the rows its footer declares).</summary>
    public long CountRecords() => Origin?.CountRecords() ?? Format switch
    {
        SourceFormat.Csv => CsvRecordScanner.CountRecords(Path, (byte)Separator),
        SourceFormat.Parquet => ParquetRecordReader.CountRows(Path, Name),
        _ => CountJsonLines(),
    };

    private long CountJsonLines()
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[64 * 1024];
        long records = 0;
        var content = false;
        int read;
        var first = true;
        while ((read = stream.Read(buffer)) > 0)
        {
            var bytes = buffer.AsSpan(0, read);
            if (first && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..]; // the byte order mark the reader skips
            first = false;
            foreach (var b in bytes)
            {
                if (b == (byte)'\n')
                {
                    if (content) records++;
                    content = false;
                }
                else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) content = true;
            }
        }
        return content ? records + 1 : records;
    }
}
