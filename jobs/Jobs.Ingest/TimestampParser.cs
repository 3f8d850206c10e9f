using System.Globalization;
using System.Text.RegularExpressions;

namespace Jobs.Ingest;

/// <summary>The outcome of reading a timestamp: the UTC instant, or whether it was unreadable or named no instant.</summary>
public readonly record struct ParsedTimestamp(DateTime? Utc, bool OutOfRange, string? Problem)
{
    public static ParsedTimestamp Of(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc), false, null);
    public static ParsedTimestamp Invalid(string problem) => new(null, false, problem);
    public static ParsedTimestamp Range(string problem) => new(null, true, problem);
    public bool Failed => Utc is null;
}

/// <summary>
/// Reads timestamps in the configured formats, tried in order: <c>rfc3339</c> (ISO-8601 / RFC 3339: a date, or a
/// date-time with any offset its syntax allows, up to ±23:59, beyond the ±14:00 of <see cref="DateTimeOffset"/>),
/// <c>rfc2822</c> (e-mail dates: "Tue, 1 Jul 2003 10:52:37 -1600", obsolete zone names, 2-digit years), or a .NET
/// custom format ("dd/MM/yyyy HH:mm"). Values without an offset are in <c>timeZone</c> (an IANA or Windows id;
/// UTC by default); a bare date is that calendar day. The result is UTC, so days are UTC days.
/// </summary>
public sealed partial class TimestampParser
{
    public const string Rfc3339 = "rfc3339";
    public const string Rfc2822 = "rfc2822";

    private readonly IReadOnlyList<string> _formats;
    private readonly TimeZoneInfo _zone;

    public TimestampParser(IReadOnlyList<string>? formats = null, string? timeZone = null)
    {
        _formats = formats is { Count: > 0 } ? formats : [Rfc3339];
        _zone = string.IsNullOrEmpty(timeZone) || timeZone is "UTC" or "Z" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
    }

    /// <summary>The default: RFC 3339 in UTC.</summary>
    public static TimestampParser Default { get; } = new();

    /// <summary>What the formats accept, for messages.</summary>
    public string Expected => string.Join(" or ", _formats);

    public ParsedTimestamp Parse(string raw)
    {
        raw = raw.Trim();
        ParsedTimestamp? outOfRange = null;
        foreach (var format in _formats)
        {
            var result = format.ToLowerInvariant() switch
            {
                Rfc3339 => ParseRfc3339(raw),
                Rfc2822 => ParseRfc2822(raw),
                _ => ParseCustom(raw, format),
            };
            if (result is { Failed: false }) return result.Value;
            if (result is { OutOfRange: true }) outOfRange ??= result;
        }
        return outOfRange ?? ParsedTimestamp.Invalid($"matches none of the formats {Expected}");
    }

    private ParsedTimestamp? ParseRfc3339(string raw)
    {
        var m = Rfc3339Pattern().Match(raw);
        if (!m.Success) return null;
        int year = Int(m, "y"), month = Int(m, "M"), day = Int(m, "d");
        if (!m.Groups["h"].Success) return Build(year, month, day, 0, 0, 0, 0, TimeSpan.Zero, dateOnly: true);
        var fraction = m.Groups["f"].Success ? m.Groups["f"].Value : "";
        var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
        TimeSpan? offset = null;
        if (m.Groups["z"].Success) offset = TimeSpan.Zero;
        else if (m.Groups["oh"].Success) offset = Offset(m.Groups["sign"].Value, Int(m, "oh"), m.Groups["om"].Success ? Int(m, "om") : 0);
        return Build(year, month, day, Int(m, "h"), Int(m, "m"), m.Groups["s"].Success ? Int(m, "s") : 0, ticks, offset);
    }

    private ParsedTimestamp? ParseRfc2822(string raw)
    {
        var m = Rfc2822Pattern().Match(raw);
        if (!m.Success) return null;
        var year = Int(m, "y");
        if (m.Groups["y"].Value.Length == 2) year += year < 50 ? 2000 : 1900;
        else if (m.Groups["y"].Value.Length == 3) year += 1900;
        var month = Array.IndexOf(Months, m.Groups["mon"].Value[..1].ToUpperInvariant() + m.Groups["mon"].Value[1..].ToLowerInvariant()) + 1;
        var zone = m.Groups["zone"].Value;
        TimeSpan? offset = zone.Length == 0 ? null
            : zone[0] is '+' or '-' ? Offset(zone[..1], int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[3..5], CultureInfo.InvariantCulture))
            : ObsoleteZones.TryGetValue(zone, out var hours) ? TimeSpan.FromHours(hours)
            : TimeSpan.Zero; // military letters: RFC 5322 says to read them as -0000 (unknown), i.e. UTC
        return Build(year, month, Int(m, "d"), Int(m, "h"), Int(m, "m"), m.Groups["s"].Success ? Int(m, "s") : 0, 0, offset);
    }

    private ParsedTimestamp? ParseCustom(string raw, string format)
    {
        var withOffset = format.Contains('z', StringComparison.Ordinal) || format.Contains('K', StringComparison.Ordinal);
        if (withOffset)
            return DateTimeOffset.TryParseExact(raw, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var dto) ? ParsedTimestamp.Of(dto.UtcDateTime) : null;
        return DateTime.TryParseExact(raw, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local)
            ? ToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), null, dateOnly: false)
            : null;
    }

    private static TimeSpan Offset(string sign, int hours, int minutes) => (sign == "-" ? -1 : 1) * new TimeSpan(hours, minutes, 0);

    private ParsedTimestamp Build(int year, int month, int day, int hour, int minute, int second, long ticks, TimeSpan? offset, bool dateOnly = false)
    {
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), Math.Clamp(month, 1, 12)) || hour > 23 || minute > 59 || second > 60)
            return ParsedTimestamp.Range($"{year:D4}-{month:D2}-{day:D2} {hour:D2}:{minute:D2}:{second:D2} is not a date and time");
        var leap = second == 60; // RFC 3339 allows a leap second: the instant is the next minute's start
        var local = new DateTime(year, month, day, hour, minute, leap ? 59 : second, DateTimeKind.Unspecified).AddTicks(ticks);
        if (leap) local = local.AddSeconds(1);
        return ToUtc(local, offset, dateOnly);
    }

    private ParsedTimestamp ToUtc(DateTime local, TimeSpan? offset, bool dateOnly)
    {
        try
        {
            if (dateOnly) return ParsedTimestamp.Of(local);
            if (offset is { } o) return ParsedTimestamp.Of(local - o);
            if (_zone == TimeZoneInfo.Utc) return ParsedTimestamp.Of(local);
            if (_zone.IsInvalidTime(local)) return ParsedTimestamp.Range($"{local:yyyy-MM-dd HH:mm:ss} does not exist in time zone {_zone.Id} (skipped by a clock change)");
            return ParsedTimestamp.Of(TimeZoneInfo.ConvertTimeToUtc(local, _zone));
        }
        catch (ArgumentOutOfRangeException)
        {
            return ParsedTimestamp.Range("is outside the years 0001-9999 once converted to UTC");
        }
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly Dictionary<string, int> ObsoleteZones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0, ["EST"] = -5, ["EDT"] = -4, ["CST"] = -6, ["CDT"] = -5, ["MST"] = -7, ["MDT"] = -6, ["PST"] = -8, ["PDT"] = -7,
    };

    // RFC 3339 (and the ISO-8601 forms people write): T, t or a space; seconds optional; any fraction; Z or ±hh[:mm].
    [GeneratedRegex(@"^(?<y>\d{4})-(?<M>\d{2})-(?<d>\d{2})(?:[Tt ](?<h>\d{2}):(?<m>\d{2})(?::(?<s>\d{2})(?:[.,](?<f>\d{1,9})\d*)?)?\s*(?:(?<z>[Zz])|(?<sign>[+-])(?<oh>[01]\d|2[0-3])(?::?(?<om>[0-5]\d))?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();

    // RFC 2822 / 5322 date-time, with its obsolete forms: optional day name, 2- or 3-digit years, zone names, a trailing comment.
    [GeneratedRegex(@"^(?:[A-Za-z]{3},?\s*)?(?<d>\d{1,2})\s+(?<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?<y>\d{2,4})\s+(?<h>\d{1,2}):(?<m>\d{2})(?::(?<s>\d{2}))?\s*(?<zone>[+-]\d{2}[0-5]\d|UTC|UT|GMT|[ECMP][SD]T|[A-IK-Za-ik-z])?\s*(?:\(.*\))?\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Rfc2822Pattern();
}
