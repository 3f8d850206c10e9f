using Jobs.Contracts;
using Jobs.Lake;
using Microsoft.Extensions.Logging;

namespace Jobs.Tables;

/// <summary>
/// The lake of a run, as the stages see it: opens its tables and reads or replaces the days of one date chunk. This
/// is the one place that knows how a stage table is read by range and replaced atomically (and logs each commit once).
/// </summary>
public sealed partial class LakeStore(ILakeStorage storage, TimeProvider time, ILoggerFactory loggerFactory)
{
    private readonly ILogger _log = loggerFactory.CreateLogger<LakeStore>();

    /// <summary>Where the lake is (a folder or az://container/prefix), for logs.</summary>
    public string Location => storage.Location;

    public ILakeStorage Storage => storage;

    public DeltaTable<T> Table<T>(TableSpec<T> spec) where T : class, new() => new(storage, spec, time, loggerFactory);

    /// <summary>The rows of the chunk's days.</summary>
    public IAsyncEnumerable<T> ReadAsync<T>(TableSpec<T> spec, DateChunk chunk, CancellationToken cancellationToken) where T : class, new() =>
        Table(spec).ReadAsync(DayPartition.Within(chunk), cancellationToken);

    /// <summary>Every row of the table (reports and tools; stages read by chunk).</summary>
    public IAsyncEnumerable<T> ReadAllAsync<T>(TableSpec<T> spec, CancellationToken cancellationToken) where T : class, new() =>
        Table(spec).ReadAsync(PartitionPredicate.All, cancellationToken);

    /// <summary>
    /// Replaces the chunk's days (and, with <paramref name="withUndated"/>, the null-day partition) with
    /// <paramref name="rows"/> in one Delta commit: a re-run or a retry yields the same table.
    /// </summary>
    public async Task<CommitResult> ReplaceAsync<T>(TableSpec<T> spec, DateChunk chunk, IAsyncEnumerable<T> rows, CancellationToken cancellationToken,
        bool withUndated = false) where T : class, new()
    {
        var range = withUndated ? DayPartition.WithinOrUndated(chunk) : DayPartition.Within(chunk);
        var commit = await Table(spec).OverwriteAsync(rows, range, cancellationToken).ConfigureAwait(false);
        Committed(spec.Name, commit.Version, chunk.ToString(), commit.RowsWritten, commit.FilesAdded, commit.FilesRemoved, commit.Attempts);
        return commit;
    }

    public async Task<long> CountAsync<T>(TableSpec<T> spec, CancellationToken cancellationToken) where T : class, new() =>
        await ReadAllAsync(spec, cancellationToken).CountAsync(cancellationToken).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Committed {Table} version {Version} for {Chunk}: {Rows} rows in {FilesAdded} files, {FilesRemoved} files replaced ({Attempts} attempt(s))")]
    private partial void Committed(string table, long version, string chunk, long rows, int filesAdded, int filesRemoved, int attempts);
}
