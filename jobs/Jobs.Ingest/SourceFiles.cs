using Jobs.Hosting;

namespace Jobs.Ingest;

/// <summary>Expands the --source arguments (files or folders) into an ordered list of readable files.</summary>
public static class SourceFiles
{
    private static readonly string[] Extensions = [".csv", ".jsonl", ".ndjson", ".json"];

    public static IReadOnlyList<string> Expand(IEnumerable<string> sources)
    {
        var files = new List<string>();
        foreach (var source in sources)
        {
            if (File.Exists(source)) files.Add(Path.GetFullPath(source));
            else if (Directory.Exists(source))
                files.AddRange(Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Select(Path.GetFullPath));
            else throw new InputRefusedException($"source {source} does not exist");
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    public static IEnumerable<SourceRecord> Read(string file, SourceFormat format)
    {
        var name = Path.GetFileName(file);
        var effective = format != SourceFormat.Auto ? format
            : Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? SourceFormat.Csv : SourceFormat.Jsonl;
        return effective == SourceFormat.Csv ? CsvRecordReader.Read(file, name) : JsonLinesReader.Read(file, name);
    }
}
