namespace Jobs.Ingest;

/// <summary>One physical line of a file as bytes (without its line break), kept up to a size limit.</summary>
public readonly record struct Utf8Line(long Number, ReadOnlyMemory<byte> Bytes, long Length)
{
    /// <summary>The line is longer than the limit: only its first bytes were kept.</summary>
    public bool Truncated => Length > Bytes.Length;
}

/// <summary>
/// Reads a file line by line as raw bytes, so decoding can be strict, and memory stays bounded: a line longer than
/// <c>maxLineBytes</c> is reported with its first bytes and its length, never held whole. A UTF-8 byte order mark
/// at the start is skipped; CR before LF is dropped.
/// </summary>
public static class Utf8LineReader
{
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
                yield return Complete(line, ++number, ref length, maxLineBytes);
                start = newline + 1;
            }
        }
        if (length > 0) yield return Complete(line, ++number, ref length, maxLineBytes);
    }

    private static void Append(MemoryStream line, ReadOnlySpan<byte> bytes, ref long length, int max)
    {
        var room = (int)Math.Max(0, Math.Min(bytes.Length, max + 1 - line.Length)); // one byte more, to see a trailing CR
        line.Write(bytes[..room]);
        length += bytes.Length;
    }

    private static Utf8Line Complete(MemoryStream line, long number, ref long length, int max)
    {
        var bytes = line.ToArray();
        var total = length;
        if (total == bytes.Length && total > 0 && bytes[^1] == (byte)'\r') total--;
        var result = new Utf8Line(number, bytes.AsMemory(0, (int)Math.Min(total, max)), total);
        line.SetLength(0);
        length = 0;
        return result;
    }
}
