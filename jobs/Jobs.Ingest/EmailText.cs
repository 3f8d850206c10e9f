using System.Text.RegularExpressions;

namespace Jobs.Ingest;

/// <summary>
/// Strips what an e-mail repeats rather than says, by layout, in any language: quoted lines (<c>&gt;</c> and
/// <c>&gt;&gt;</c> at the start), the attribution line that introduces a quote ("On Tue, 3 Mar 2001, Ann wrote:",
/// "Le 3 mars 2001, Ann a écrit :", "Am 03.03.2001 schrieb Ann:": a line ending in a colon right before quoted
/// lines), a forwarded or replied original below a separator line ("-----Original Message-----", "----- Message
/// d'origine -----") followed by header lines, and the signature below the "-- " line (RFC 3676), when it is at most
/// <see cref="MaxSignatureLines"/> lines long. Input is normalised text (LF line ends, no trailing spaces).
/// </summary>
public static partial class EmailText
{
    public const int MaxSignatureLines = 20;

    public static string Strip(string text)
    {
        var lines = text.Split('\n').ToList();
        CutOriginal(lines);
        CutSignature(lines);
        var kept = new List<string>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            if (IsQuoted(lines[i])) continue;
            if (lines[i].EndsWith(':') && NextContentIsQuoted(lines, i + 1)) continue; // the attribution of the quote below
            kept.Add(lines[i]);
        }
        return string.Join('\n', kept);
    }

    private static bool IsQuoted(string line) => line.TrimStart().StartsWith('>');

    private static bool NextContentIsQuoted(List<string> lines, int from)
    {
        for (var i = from; i < lines.Count; i++)
            if (lines[i].Trim().Length > 0) return IsQuoted(lines[i]);
        return false;
    }

    /// <summary>Everything from a separator line followed (within two lines) by a header line such as "From: …".</summary>
    private static void CutOriginal(List<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            if (!Separator().IsMatch(lines[i])) continue;
            for (var j = i + 1; j < Math.Min(lines.Count, i + 3); j++)
            {
                if (!Header().IsMatch(lines[j])) continue;
                lines.RemoveRange(i, lines.Count - i);
                return;
            }
        }
    }

    private static void CutSignature(List<string> lines)
    {
        var at = lines.FindLastIndex(l => l is "--" or "-- ");
        if (at >= 0 && lines.Count - at - 1 <= MaxSignatureLines) lines.RemoveRange(at, lines.Count - at);
    }

    /// <summary>"-----Original Message-----", "----- Forwarded message -----", "________________" (Outlook's rule).</summary>
    [GeneratedRegex(@"^\s*(?:-{3,}\s*\p{L}[^-]*-{3,}|_{10,})\s*$")]
    private static partial Regex Separator();

    /// <summary>A mail header line: a word or two, a colon, a value ("From: Ann", "De : Ann", "Von: Ann").</summary>
    [GeneratedRegex(@"^\s*\*?\p{L}[\p{L}\-]*(?: \p{L}[\p{L}\-]*)?\*? ?:\*? \S")]
    private static partial Regex Header();
}
