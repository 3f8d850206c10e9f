using System.Runtime.InteropServices;
using System.Text;

namespace Jobs.Lake;

/// <summary>
/// The _delta_log folder on a local or mounted file system. A commit is put-if-absent: the content is written to a
/// temp file and fsynced, then hard-linked to its final name, so it appears atomically and complete or not at all
/// (File.Move on Linux silently overwrites a concurrent winner; see ../shared/notes/delta.md 2.6).
/// </summary>
internal sealed partial class DeltaLogStore(string tableRoot)
{
    private const int EEXIST = 17;
    public string LogDir { get; } = Path.Combine(tableRoot, "_delta_log");

    public static string CommitFileName(long version) => $"{version:D20}.json";

    public bool Exists => System.IO.Directory.Exists(LogDir) && Listing().LatestVersion is not null;

    public LogListing Listing() => LogListing.From(System.IO.Directory.Exists(LogDir)
        ? System.IO.Directory.EnumerateFiles(LogDir).Select(f => Path.GetFileName(f)!)
        : []);

    public string PathOf(string fileName) => Path.Combine(LogDir, fileName);

    public static string CheckpointFileName(long version) => $"{version:D20}.checkpoint.parquet";

    /// <summary>Writes the classic checkpoint of <paramref name="version"/> atomically; any writer's copy has the same content.</summary>
    public async Task<long> WriteCheckpointAsync(long version, IReadOnlyCollection<CheckpointRow> rows, CancellationToken cancellationToken)
    {
        var tmp = TempPath(".parquet");
        var size = await CheckpointFile.WriteAsync(tmp, rows, cancellationToken).ConfigureAwait(false);
        File.Move(tmp, PathOf(CheckpointFileName(version)), overwrite: true);
        return size;
    }

    /// <summary>_last_checkpoint is a hint that may be overwritten (temp file + rename); readers never trust it blindly.</summary>
    public void WriteLastCheckpoint(string json)
    {
        var tmp = TempPath(".json");
        File.WriteAllText(tmp, json);
        File.Move(tmp, PathOf("_last_checkpoint"), overwrite: true);
    }

    private string TempPath(string extension)
    {
        var dir = Path.Combine(LogDir, ".tmp");
        System.IO.Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"{Guid.NewGuid():N}{extension}");
    }

    /// <summary>Versions of the JSON commits present, ascending. Stray files (.tmp, crc, checkpoints) are ignored here.</summary>
    public IReadOnlyList<long> ListCommitVersions()
    {
        if (!System.IO.Directory.Exists(LogDir)) return [];
        var versions = new List<long>();
        foreach (var file in System.IO.Directory.EnumerateFiles(LogDir, "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.Length == 20 && long.TryParse(name, out var v)) versions.Add(v);
        }
        versions.Sort();
        return versions;
    }

    public string ReadCommit(long version) => File.ReadAllText(Path.Combine(LogDir, CommitFileName(version)), Encoding.UTF8);

    /// <summary>Writes commit <paramref name="version"/> if no other writer has; false when the version was taken.</summary>
    public bool TryCommit(long version, string content)
    {
        var tmp = TempPath(".json");
        using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            fs.Write(Encoding.UTF8.GetBytes(content));
            fs.Flush(flushToDisk: true);
        }
        try
        {
            var final = Path.Combine(LogDir, CommitFileName(version));
            if (Link(tmp, final) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EEXIST) return false;
            throw new IOException($"link({tmp}, {final}) failed with errno {errno}");
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
