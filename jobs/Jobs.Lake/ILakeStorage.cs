using System.Diagnostics.CodeAnalysis;

namespace Jobs.Lake;

/// <summary>A file of the lake as listed: its key relative to the storage root, exact size and last modification.</summary>
public sealed record LakeFileInfo(string Path, long Size, DateTimeOffset LastModified);

/// <summary>
/// Where a lake's files live (the "engine handler" of delta-kernel-rs for file I/O): every Delta rule stays in this
/// library, every byte moved goes through here. Paths are '/'-separated keys relative to the storage root (the lake
/// root), with no leading '/'; "" is the root itself. No directory semantics are assumed: a folder is a key prefix.
/// </summary>
public interface ILakeStorage
{
    /// <summary>The root, human-readable: a local folder or az://container/prefix.</summary>
    string Location { get; }

    /// <summary>The full location of <paramref name="path"/>, for messages (never holds a secret).</summary>
    string Describe(string path);

    /// <summary>Files under the folder <paramref name="prefix"/> ("" = the root); only its direct children unless <paramref name="recursive"/>.</summary>
    IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, bool recursive, CancellationToken cancellationToken);

    /// <summary>A seekable stream over the file (Parquet readers seek to the footer); FileNotFoundException when absent.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces the file with what <paramref name="content"/> writes; readers see the previous content or
    /// the new one whole, never a part. The stream given to <paramref name="content"/> is readable and seekable too
    /// (a Parquet file appended to a row group at a time reads its footer back); it may stay open as long as the
    /// content keeps writing. Returns the exact size written.
    /// </summary>
    Task<long> WriteAsync(string path, Func<Stream, CancellationToken, Task> content, CancellationToken cancellationToken);

    /// <summary>Writes the file only if no file has that key, atomically and complete; false when it already exists (the lost commit race).</summary>
    Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Deletes the file; no error when it is already gone.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>The local file-system path of <paramref name="path"/>, for engines that only read local files; false for remote storage.</summary>
    bool TryGetLocalPath(string path, [NotNullWhen(true)] out string? localPath);
}

/// <summary>Helpers over <see cref="ILakeStorage"/> and its keys.</summary>
public static class LakePaths
{
    /// <summary>Joins keys with '/', ignoring empty parts.</summary>
    public static string Combine(params string[] parts) =>
        string.Join('/', parts.Select(p => p.Trim('/')).Where(p => p.Length > 0));

    /// <summary>The last segment of a key.</summary>
    public static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>Reads a whole (small) file as UTF-8 text.</summary>
    public static async Task<string> ReadAllTextAsync(this ILakeStorage storage, string path, CancellationToken cancellationToken)
    {
        var stream = await storage.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
