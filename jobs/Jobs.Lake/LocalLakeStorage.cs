using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Jobs.Lake;

/// <summary>
/// A lake in a folder of a local or mounted file system. Put-if-absent (Delta commits) writes the content to
/// <c>&lt;folder&gt;/.tmp/&lt;guid&gt;</c>, fsyncs it and hard-links it to its final name: link(2) fails with EEXIST when
/// another writer won, so the file appears atomically, complete, or not at all (File.Move on Linux silently
/// overwrites a concurrent winner; see ../shared/notes/delta.md 2.6). Other writes (data files, checkpoints,
/// _last_checkpoint) go to a hidden sibling temp file, fsynced, then renamed over the target.
/// </summary>
public sealed partial class LocalLakeStorage : ILakeStorage
{
    private const int EEXIST = 17;

    /// <param name="root">The lake folder (created on first write); refused when it is an existing file.</param>
    public LocalLakeStorage(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        if (File.Exists(Root)) throw new ArgumentException($"lake location {Root} is a file, not a folder", nameof(root));
    }

    /// <summary>The full path of the lake folder.</summary>
    public string Root { get; }

    public string Location => Root;

    public string Describe(string path) => FullPath(path);

    public bool TryGetLocalPath(string path, [NotNullWhen(true)] out string? localPath)
    {
        localPath = FullPath(path);
        return true;
    }

    private string FullPath(string path) =>
        path.Length == 0 ? Root : Path.Combine(Root, path.Replace('/', Path.DirectorySeparatorChar));

    private string Key(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    public async IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var dir = FullPath(prefix);
        if (!Directory.Exists(dir)) yield break;
        foreach (var file in Directory.EnumerateFiles(dir, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(file);
            // A file deleted between listing and stat (VACUUM, a finished temp file) is simply not there.
            if (!info.Exists) continue;
            yield return new LakeFileInfo(Key(file), info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
        }
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(FullPath(path), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, useAsync: true));
        }
        catch (DirectoryNotFoundException e)
        {
            // A missing folder is a missing file here, as in object storage (the interface promises FileNotFoundException).
            throw new FileNotFoundException(e.Message, Describe(path), e);
        }
    }

    public async Task<long> WriteAsync(string path, Func<Stream, CancellationToken, Task> content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var final = FullPath(path);
        var dir = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(dir);
        // Hidden, so that readers and VACUUM never take a half-written file for a data file.
        var tmp = Path.Combine(dir, $".{Path.GetFileName(final)}.{Guid.NewGuid():N}.tmp");
        try
        {
            long size;
            // Read-write: a Parquet file written a row group at a time reads its footer back before appending the next one.
            var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, useAsync: true);
            await using (fs.ConfigureAwait(false))
            {
                await content(fs, cancellationToken).ConfigureAwait(false);
                await fs.FlushAsync(cancellationToken).ConfigureAwait(false);
                fs.Flush(flushToDisk: true);
                size = fs.Length;
            }
            File.Move(tmp, final, overwrite: true);
            return size;
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    public async Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var final = FullPath(path);
        var tmpDir = Path.Combine(Path.GetDirectoryName(final)!, ".tmp");
        Directory.CreateDirectory(tmpDir);
        var tmp = Path.Combine(tmpDir, $"{Guid.NewGuid():N}{Path.GetExtension(final)}");
        try
        {
            var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            await using (fs.ConfigureAwait(false))
            {
                await fs.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                fs.Flush(flushToDisk: true);
            }
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

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        File.Delete(FullPath(path));
        return Task.CompletedTask;
    }

    public override string ToString() => Location;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
