using System.Text.RegularExpressions;

namespace Jobs.Lake;

/// <summary>A checkpoint found in the log: classic (one file), multi-part (all parts), or V2 (unsupported).</summary>
internal sealed record CheckpointFiles(long Version, CheckpointKind Kind, IReadOnlyList<string> Files);

internal enum CheckpointKind
{
    Classic,
    MultiPart,
    V2,
}

/// <summary>
/// What the _delta_log folder holds, from its file names alone (PROTOCOL.md "Delta Log Entries", "Checkpoints"):
/// JSON commits and complete checkpoints. Multi-part checkpoints with a missing part are left out; anything else
/// (.tmp, .crc, _last_checkpoint, compacted logs) is ignored.
/// </summary>
internal sealed partial class LogListing
{
    public SortedSet<long> Commits { get; } = [];
    public List<CheckpointFiles> Checkpoints { get; } = [];

    public long? LatestVersion => Commits.Count == 0 && Checkpoints.Count == 0
        ? null
        : Math.Max(Commits.Count > 0 ? Commits.Max : -1, Checkpoints.Count > 0 ? Checkpoints.Max(c => c.Version) : -1);

    public static LogListing From(IEnumerable<string> fileNames)
    {
        var listing = new LogListing();
        var parts = new Dictionary<(long Version, int Of), List<(int Part, string File)>>();
        foreach (var name in fileNames)
        {
            if (CommitName().Match(name) is { Success: true } c) listing.Commits.Add(long.Parse(c.Groups[1].ValueSpan));
            else if (ClassicName().Match(name) is { Success: true } k)
                listing.Checkpoints.Add(new(long.Parse(k.Groups[1].ValueSpan), CheckpointKind.Classic, [name]));
            else if (MultiPartName().Match(name) is { Success: true } m)
            {
                var key = (long.Parse(m.Groups[1].ValueSpan), int.Parse(m.Groups[3].ValueSpan));
                if (!parts.TryGetValue(key, out var list)) parts[key] = list = [];
                list.Add((int.Parse(m.Groups[2].ValueSpan), name));
            }
            else if (V2Name().Match(name) is { Success: true } v)
                listing.Checkpoints.Add(new(long.Parse(v.Groups[1].ValueSpan), CheckpointKind.V2, [name]));
        }
        foreach (var ((version, of), list) in parts)
            if (list.Select(p => p.Part).Distinct().Count() == of && list.All(p => p.Part >= 1 && p.Part <= of))
                listing.Checkpoints.Add(new(version, CheckpointKind.MultiPart, list.OrderBy(p => p.Part).Select(p => p.File).ToList()));
        return listing;
    }

    [GeneratedRegex(@"^(\d{20})\.json$")]
    private static partial Regex CommitName();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.parquet$")]
    private static partial Regex ClassicName();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$")]
    private static partial Regex MultiPartName();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$")]
    private static partial Regex V2Name();
}
