using System.Text;

namespace Jobs.Ingest;

/// <summary>
/// Strict UTF-8 decoding: invalid bytes are reported (with their position), never replaced by U+FFFD as .NET's
/// default readers do without a word.
/// </summary>
public static class StrictUtf8
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text, or null and the position of the first invalid byte.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> bytes, out string? problem)
    {
        try
        {
            problem = null;
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            var bad = e.BytesUnknown is { Length: > 0 } b ? string.Join(' ', b.Select(x => $"0x{x:X2}")) : "?";
            problem = $"invalid UTF-8 ({bad}) at byte {e.Index} of the record";
            return null;
        }
    }

    /// <summary>A copy for people (the quarantine's raw column): at most <paramref name="maxChars"/>, invalid bytes shown as U+FFFD.</summary>
    public static string Preview(ReadOnlySpan<byte> bytes, int maxChars = RawPreviewChars)
    {
        var head = bytes[..Math.Min(bytes.Length, maxChars * 4)];
        return Truncate(Encoding.UTF8.GetString(head), maxChars);
    }

    public const int RawPreviewChars = 2000;

    public static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
