namespace Jobs.Ingest;

/// <summary>
/// A byte-level scanner of CSV record boundaries (RFC 4180: a quote opens only at the start of a field, "" inside
/// quotes is a quote, line breaks inside quotes belong to the field), written apart from the CSV reader: it counts
/// the records of a file for the reconciliation, and finds where reading resumes after a record the reader refused.
/// A quote still open at the end of the file refuses its record and resumes on the line after the quote, as the
/// reader does.
/// </summary>
public static class CsvRecordScanner
{
    private enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted, AfterQuote }

    /// <summary>Data records in the file (the header and empty lines are not records).</summary>
    public static long CountRecords(string path, byte separator = (byte)',')
    {
        long records = 0, offset = 0;
        var length = new FileInfo(path).Length;
        while (offset < length)
        {
            var (count, unterminatedQuote) = Scan(path, offset, separator, stopAfterFirst: false);
            records += count;
            if (unterminatedQuote is not { } quote) break;
            records++; // the refused record
            offset = NextLine(path, quote);
        }
        return Math.Max(0, records - 1);
    }

    /// <summary>The offset just after the record that starts at <paramref name="start"/>.</summary>
    public static long EndOfRecord(string path, long start, byte separator = (byte)',')
    {
        var (end, unterminatedQuote) = Scan(path, start, separator, stopAfterFirst: true);
        return unterminatedQuote is { } quote ? NextLine(path, quote) : end;
    }

    /// <summary>The offset of the line after the one holding <paramref name="position"/> (the file's length on the last line).</summary>
    public static long NextLine(string path, long position)
    {
        using var stream = Open(path, position);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var n = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (n >= 0) return position + n + 1;
            position += read;
        }
        return position;
    }

    /// <summary>Line breaks before <paramref name="offset"/>: the number of lines wholly before it.</summary>
    public static long LinesBefore(string path, long offset)
    {
        using var stream = Open(path, 0);
        var buffer = new byte[64 * 1024];
        long lines = 0, left = offset;
        int read;
        while (left > 0 && (read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left))) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            left -= read;
        }
        return lines;
    }

    /// <summary>
    /// Counts the records from <paramref name="start"/> (or, with <paramref name="stopAfterFirst"/>, returns the
    /// offset after the first one); a quote open at the end of the file is returned with its position.
    /// </summary>
    private static (long CountOrEnd, long? UnterminatedQuote) Scan(string path, long start, byte separator, bool stopAfterFirst)
    {
        using var stream = Open(path, start);
        var buffer = new byte[64 * 1024];
        var state = State.FieldStart;
        var lineHasContent = false;
        long records = 0, position = start, quoteAt = -1;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            for (var i = 0; i < read; i++, position++)
            {
                var b = buffer[i];
                switch (state)
                {
                    case State.Quoted:
                        if (b == (byte)'"') state = State.QuoteInQuoted;
                        continue;
                    case State.QuoteInQuoted:
                        if (b == (byte)'"') { state = State.Quoted; continue; }
                        state = State.AfterQuote;
                        break;
                }
                if (b == (byte)'\n')
                {
                    if (lineHasContent)
                    {
                        records++;
                        if (stopAfterFirst) return (position + 1, null);
                    }
                    state = State.FieldStart;
                    lineHasContent = false;
                    continue;
                }
                if (b != (byte)'\r') lineHasContent = true;
                if (b == separator) state = State.FieldStart;
                else if (state == State.FieldStart && b == (byte)'"') { state = State.Quoted; quoteAt = position; }
                else if (state == State.FieldStart && b != (byte)'\r') state = State.Unquoted;
            }
        }
        if (state == State.Quoted) return (stopAfterFirst ? position : records, quoteAt);
        if (lineHasContent) records++;
        return (stopAfterFirst ? position : records, null);
    }

    private static FileStream Open(string path, long offset)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        stream.Seek(offset, SeekOrigin.Begin);
        return stream;
    }
}
