using System.Text;

namespace Jobs.Lake;

/// <summary>
/// The three encodings of a partition value (PROTOCOL.md "Partition Value Serialization"): the log value, the
/// Hive-escaped directory name, and the URI-encoded add.path that readers decode exactly once.
/// </summary>
public static class PartitionPaths
{
    public const string HiveNull = "__HIVE_DEFAULT_PARTITION__";

    public static string Directory(IReadOnlyList<PartitionColumn> columns, IReadOnlyDictionary<string, string?> values) =>
        string.Join('/', columns.Select(c => c.Name + "=" + HiveEscape(values[c.Name])));

    public static string HiveEscape(string? value)
    {
        if (value is null) return HiveNull;
        var sb = new StringBuilder();
        foreach (var ch in value)
        {
            // Hive's escape set: control characters and the characters that break paths or key=value parsing.
            if (ch < ' ' || ch is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '\x7F' or '{' or '[' or ']' or '^')
                sb.Append('%').Append(((int)ch).ToString("X2"));
            else
                sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>
    /// URI-encodes a relative path for add.path as Hadoop's Path.toUri does (RFC 2396 path characters stay literal,
    /// so 'day=2024-01-01' keeps its '='; '%' from Hive escaping becomes '%25').
    /// </summary>
    public static string ToLogPath(string relativePath)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(relativePath))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || "-_.~!*'()@&=+$,/".Contains(c)) sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Decodes add.path once, as Spark and delta-kernel do.</summary>
    public static string FromLogPath(string logPath) => Uri.UnescapeDataString(logPath);
}
