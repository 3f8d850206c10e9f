using System.Globalization;
using Jobs.Contracts;
using Jobs.Hosting;

namespace Jobs.Ingest;

/// <summary>
/// Expands the --source arguments (files, folders, or paths with a date template) into an ordered list of files.
/// A template ({yyyy}, {MM}, {dd}: <c>incoming/{yyyy}/{MM}/{dd}/*.jsonl</c>, Hive-style <c>day={yyyy}-{MM}-{dd}</c>)
/// is expanded for the chunk's days only, so a daily run lists and reads one day's files, not the history.
/// Files of an unknown extension are returned as skipped, for the log.
/// </summary>
public static class SourceFiles
{
    private static readonly string[] Extensions = [".csv", ".jsonl", ".ndjson", ".json", ".parquet"];

    public static bool IsTemplate(string source) => source.Contains("{yyyy}", StringComparison.Ordinal);

    public static (IReadOnlyList<SourceFile> Files, IReadOnlyList<string> Skipped) Expand(IEnumerable<string> sources, SourceFormat format, DateChunk chunk)
    {
        var files = new List<SourceFile>();
        var skipped = new List<string>();
        foreach (var source in sources)
        {
            if (IsTemplate(source))
            {
                for (var day = chunk.Start; day < chunk.End; day = day.AddDays(1))
                    AddTemplated(files, skipped, source, day, format);
            }
            else if (File.Exists(source)) files.Add(new(Path.GetFullPath(source), Path.GetFileName(source), FormatOf(source, format)));
            else if (Directory.Exists(source)) AddFolder(files, skipped, source, "*", format, null);
            else throw new InputRefusedException($"source {source} does not exist");
        }
        files.Sort((a, b) => StringComparer.Ordinal.Compare(a.Path, b.Path));
        return (files, skipped);
    }

    /// <summary>The template for one day: <c>{yyyy}</c>, <c>{MM}</c>, <c>{dd}</c> replaced.</summary>
    public static string ForDay(string template, DateOnly day) => template
        .Replace("{yyyy}", day.Year.ToString("D4", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{MM}", day.Month.ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{dd}", day.Day.ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static void AddTemplated(List<SourceFile> files, List<string> skipped, string template, DateOnly day, SourceFormat format)
    {
        var path = ForDay(template, day);
        var name = Path.GetFileName(path);
        if (name.Contains('*', StringComparison.Ordinal) || name.Contains('?', StringComparison.Ordinal))
        {
            var folder = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
            if (Directory.Exists(folder)) AddFolder(files, skipped, folder, name, format, day, RootOf(template));
        }
        else if (File.Exists(path)) files.Add(new(Path.GetFullPath(path), Path.GetRelativePath(RootOf(template), path), FormatOf(path, format), day));
        else if (Directory.Exists(path)) AddFolder(files, skipped, path, "*", format, day, RootOf(template));
    }

    private static void AddFolder(List<SourceFile> files, List<string> skipped, string folder, string pattern, SourceFormat format, DateOnly? day, string? root = null)
    {
        foreach (var file in Directory.EnumerateFiles(folder, pattern, pattern == "*" ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly))
        {
            if (!Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
            {
                skipped.Add(Path.GetFullPath(file));
                continue;
            }
            files.Add(new(Path.GetFullPath(file), Path.GetRelativePath(root ?? folder, file), FormatOf(file, format), day));
        }
    }

    /// <summary>The fixed folder a template starts from: the path up to its first templated segment.</summary>
    public static string RootOf(string template)
    {
        var at = template.IndexOf('{', StringComparison.Ordinal);
        var cut = template.LastIndexOfAny(['/', '\\'], Math.Max(0, at));
        return cut <= 0 ? "." : template[..cut];
    }

    private static SourceFormat FormatOf(string file, SourceFormat format) => format != SourceFormat.Auto ? format
        : Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? SourceFormat.Csv
        : Path.GetExtension(file).Equals(".parquet", StringComparison.OrdinalIgnoreCase) ? SourceFormat.Parquet
        : SourceFormat.Jsonl;
}
