using System.Text;

namespace Jobs.Lake;

/// <summary>
/// The _delta_log folder of one table in an <see cref="ILakeStorage"/>. A commit is put-if-absent
/// (<see cref="ILakeStorage.PutIfAbsentAsync"/>): it appears atomically and complete, or not at all.
/// </summary>
internal sealed class DeltaLogStore(ILakeStorage storage, string tablePath)
{
    public ILakeStorage Storage { get; } = storage;
    public string TablePath { get; } = tablePath;

    /// <summary>Key of the log folder.</summary>
    public string LogDir { get; } = LakePaths.Combine(tablePath, "_delta_log");

    /// <summary>Where the log is, for messages.</summary>
    public string Location => Storage.Describe(LogDir);

    public static string CommitFileName(long version) => $"{version:D20}.json";

    public static string CheckpointFileName(long version) => $"{version:D20}.checkpoint.parquet";

    public async Task<bool> ExistsAsync(CancellationToken cancellationToken) =>
        (await ListingAsync(cancellationToken).ConfigureAwait(false)).LatestVersion is not null;

    public async Task<LogListing> ListingAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var file in Storage.ListAsync(LogDir, recursive: false, cancellationToken).ConfigureAwait(false))
            names.Add(LakePaths.FileName(file.Path));
        return LogListing.From(names);
    }

    /// <summary>Key of a file of the log.</summary>
    public string PathOf(string fileName) => LakePaths.Combine(LogDir, fileName);

    /// <summary>Writes the classic checkpoint of <paramref name="version"/> whole or not at all; any writer's copy has the same content.</summary>
    public Task<long> WriteCheckpointAsync(long version, IReadOnlyCollection<CheckpointRow> rows, CancellationToken cancellationToken) =>
        Storage.WriteAsync(PathOf(CheckpointFileName(version)), (s, ct) => CheckpointFile.WriteAsync(s, rows, ct), cancellationToken);

    /// <summary>_last_checkpoint is a hint that may be overwritten; readers never trust it blindly.</summary>
    public Task WriteLastCheckpointAsync(string json, CancellationToken cancellationToken) =>
        Storage.WriteAsync(PathOf("_last_checkpoint"), (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(json), ct).AsTask(), cancellationToken);

    /// <summary>Versions of the JSON commits present, ascending. Stray files (.tmp, crc, checkpoints) are ignored here.</summary>
    public async Task<IReadOnlyList<long>> ListCommitVersionsAsync(CancellationToken cancellationToken) =>
        [.. (await ListingAsync(cancellationToken).ConfigureAwait(false)).Commits];

    public Task<string> ReadCommitAsync(long version, CancellationToken cancellationToken) =>
        Storage.ReadAllTextAsync(PathOf(CommitFileName(version)), cancellationToken);

    /// <summary>Writes commit <paramref name="version"/> if no other writer has; false when the version was taken.</summary>
    public Task<bool> TryCommitAsync(long version, string content, CancellationToken cancellationToken) =>
        Storage.PutIfAbsentAsync(PathOf(CommitFileName(version)), Encoding.UTF8.GetBytes(content), cancellationToken);
}
