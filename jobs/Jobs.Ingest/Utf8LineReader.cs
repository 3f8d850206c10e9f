namespace Jobs.Ingest;

/// <summary>One physical line of a file as bytes (without its line break), kept up to a size limit.</summary>
public readonly record struct Utf8Line(long Number, ReadOnlyMemory<byte> Bytes, long Length)
{
    /// <summary>The line is longer than the limit: only its first bytes were kept.</summary>
    public bool Truncated => Length > Bytes.Length;
}

/// <summary>
/// Reads a file line by line as raw bytes, so decoding can be strict, and memory stays bounded: a line longer than
/// <c>maxLineBytes</c> is reported with its first <see cref="KeptOfLongLine"/> bytes (enough for the quarantine's raw
/// preview) and its length, never held whole: once a line passes the limit, the rest of it is only counted. A UTF-8
/// byte order mark at the start is skipped; CR before LF is dropped. <see cref="Utf8Line.Bytes"/> is valid until the
/// next line is read.
/// </summary>
public static class Utf8LineReader
{
    /// <summary>Bytes kept of a line over the limit: the most <see cref="StrictUtf8.Preview"/> reads.</summary>
    public const int KeptOfLongLine = StrictUtf8.RawPreviewChars * 4;

    /// <summary>A line buffer grown past this is handed out and replaced rather than copied and kept.</summary>
    private const int ReusedBufferBytes = 1024 * 1024;

    public static IEnumerable<Utf8Line> Read(Stream stream, int maxLineBytes)
    {
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        long length = 0, number = 0;
        var first = true;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            if (first)
            {
                first = false;
                if (read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) start = 3;
            }
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                var end = newline < 0 ? read : newline;
                Append(line, buffer.AsSpan(start, end - start), ref length, maxLineBytes);
                if (newline < 0) break;
                yield return Complete(ref line, ++number, ref length, maxLineBytes);
                start = newline + 1;
            }
        }
        if (length > 0) yield return Complete(ref line, ++number, ref length, maxLineBytes);
    }

    private static void Append(MemoryStream line, ReadOnlySpan<byte> bytes, ref long length, int max)
    {
        length += bytes.Length;
        // Within the limit: every byte, and one more to see a trailing CR. Past it: only the head, the rest is counted.
        var keep = length > max + 1L ? Math.Min(KeptOfLongLine, max) : max + 1;
        if (line.Length > keep) line.SetLength(keep);
        var room = (int)Math.Max(0, Math.Min(bytes.Length, keep - line.Length));
        line.Write(bytes[..room]);
    }

    private static Utf8Line Complete(ref MemoryStream line, long number, ref long length, int max)
    {
        var kept = (int)line.Length;
        byte[] bytes;
        if (line.Capacity > ReusedBufferBytes)
        {
            bytes = line.GetBuffer(); // handed out whole; the next line starts a small buffer, so no large one stays pinned
            line = new MemoryStream();
        }
        else
        {
            bytes = line.ToArray();
            line.SetLength(0);
        }
        var total = length;
        if (total == kept && total > 0 && bytes[kept - 1] == (byte)'\r') total--;
        var result = new Utf8Line(number, bytes.AsMemory(0, (int)Math.Min(Math.Min(total, max), kept)), total);
        length = 0;
        return result;
    }
}
