using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Jobs.Lake;

/// <summary>
/// A lake under a prefix of an Azure Blob Storage container (ADLS Gen2 accounts too: they accept the same blob API).
/// Keys are blob names below the prefix; folders are only name prefixes. Put-if-absent (Delta commits) is an upload
/// with <c>If-None-Match: *</c>, which the service refuses with 409 BlobAlreadyExists when the blob exists. A blob
/// appears whole when its upload completes, so every other write is a plain overwriting upload.
/// </summary>
public sealed class AzureBlobLakeStorage : ILakeStorage
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <param name="container">The container; it must exist.</param>
    /// <param name="prefix">Blob-name prefix of the lake root, without leading or trailing '/'; "" for the container root.</param>
    public AzureBlobLakeStorage(BlobContainerClient container, string prefix)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _prefix = (prefix ?? "").Trim('/');
        Location = _prefix.Length == 0 ? $"az://{container.Name}" : $"az://{container.Name}/{_prefix}";
    }

    public string Location { get; }

    public BlobContainerClient Container => _container;

    public string Describe(string path) => path.Length == 0 ? Location : $"{Location}/{path}";

    public bool TryGetLocalPath(string path, [NotNullWhen(true)] out string? localPath)
    {
        localPath = null;
        return false;
    }

    private string BlobName(string path) => LakePaths.Combine(_prefix, path);

    private BlobClient Blob(string path) => _container.GetBlobClient(BlobName(path));

    public async IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = BlobName(prefix);
        var blobPrefix = folder.Length == 0 ? null : folder + "/";
        var strip = _prefix.Length == 0 ? 0 : _prefix.Length + 1;
        if (recursive)
        {
            await foreach (var blob in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, blobPrefix, cancellationToken).ConfigureAwait(false))
                if (!IsFolder(blob)) yield return Info(blob, strip);
        }
        else
        {
            await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.Metadata, BlobStates.None, "/", blobPrefix, cancellationToken).ConfigureAwait(false))
                if (item.IsBlob && !IsFolder(item.Blob)) yield return Info(item.Blob, strip);
        }
    }

    // Hierarchical-namespace (ADLS Gen2) accounts list their directories as empty blobs marked hdi_isfolder.
    private static bool IsFolder(BlobItem blob) =>
        blob.Metadata is { } m && m.TryGetValue("hdi_isfolder", out var v) && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);

    private static LakeFileInfo Info(BlobItem blob, int strip) =>
        new(blob.Name[strip..], blob.Properties.ContentLength ?? 0, blob.Properties.LastModified ?? DateTimeOffset.MinValue);

    /// <summary>
    /// A seekable stream that downloads ranges on demand (4 MiB at a time), so memory stays bounded whatever the file
    /// size; it is pinned to the blob's ETag, so a concurrent overwrite fails the read instead of mixing versions.
    /// </summary>
    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await Blob(path).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new FileNotFoundException($"{Describe(path)} does not exist", Describe(path), e);
        }
    }

    /// <summary>
    /// The content is written to a temporary local file first (deleted on close), then uploaded: Parquet writers want
    /// a seekable stream, and a data file is bounded by the rows per file but may be larger than is wise to hold in memory.
    /// </summary>
    public async Task<long> WriteAsync(string path, Func<Stream, CancellationToken, Task> content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var tmp = new FileStream(Path.Combine(Path.GetTempPath(), $"jobs-lake-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (tmp.ConfigureAwait(false))
        {
            await content(tmp, cancellationToken).ConfigureAwait(false);
            await tmp.FlushAsync(cancellationToken).ConfigureAwait(false);
            var size = tmp.Length;
            tmp.Position = 0;
            await Blob(path).UploadAsync(tmp, overwrite: true, cancellationToken).ConfigureAwait(false);
            return size;
        }
    }

    public async Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(path).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || e.ErrorCode == BlobErrorCode.BlobAlreadyExists || e.ErrorCode == BlobErrorCode.ConditionNotMet)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        await Blob(path).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    public override string ToString() => Location;
}
