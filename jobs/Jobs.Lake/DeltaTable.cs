using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jobs.Lake;

/// <summary>
/// A Delta table of <typeparamref name="TRow"/> rows under <c>spec.Name</c> in a lake (see <see cref="ILakeStorage"/>). Data files are written first;
/// the single commit that makes them visible comes last, so a crash at any moment leaves a readable table. An
/// overwrite replaces whole partitions in that commit (removes + adds), which makes every job idempotent per chunk.
/// </summary>
public sealed partial class DeltaTable<TRow> where TRow : class, new()
{
    private readonly TableSpec<TRow> _spec;
    private readonly DeltaLogStore _log;
    private readonly TimeProvider _time;
    private readonly DeltaCommitter _committer;
    private readonly string _partitionBy;
    private readonly ILogger _logger;

    /// <summary>The table in the local lake folder <paramref name="lakeRoot"/>.</summary>
    public DeltaTable(string lakeRoot, TableSpec<TRow> spec, TimeProvider? timeProvider = null)
        : this(new LocalLakeStorage(lakeRoot), spec, timeProvider)
    {
    }

    /// <summary>The table at key <c>spec.Name</c> of <paramref name="lake"/>.</summary>
    public DeltaTable(ILakeStorage lake, TableSpec<TRow> spec, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        Storage = lake;
        TablePath = spec.Name;
        Root = lake.Describe(TablePath);
        _log = new DeltaLogStore(lake, TablePath);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Jobs.Lake.DeltaTable");
        var partitionColumns = spec.PartitionColumns.Select(c => c.Name).ToList();
        _committer = new DeltaCommitter(_log, Root, spec.SchemaString, partitionColumns, _time, _logger);
        _partitionBy = DeltaCommitter.PartitionByJson(partitionColumns);
    }

    /// <summary>The table's full location: a local folder or az://container/prefix/name.</summary>
    public string Root { get; }
    public ILakeStorage Storage { get; }
    /// <summary>The table's key in <see cref="Storage"/>.</summary>
    public string TablePath { get; }
    public int MaxRowsPerFile { get; init; } = 50_000;
    /// <summary>Row memory (strings as UTF-16) of the rows of one data file: a file is finished at this size (it is written a row group at a time, so this bounds files, not memory).</summary>
    public long MaxBytesPerFile { get; init; } = 8L * 1024 * 1024;

    /// <summary>Whether the table has at least one commit.</summary>
    public Task<bool> ExistsAsync(CancellationToken cancellationToken = default) => _log.ExistsAsync(cancellationToken);

    public Task<DeltaSnapshot> SnapshotAsync(long? version = null, CancellationToken cancellationToken = default) =>
        DeltaSnapshot.LoadAsync(_log, version, cancellationToken);

    /// <summary>Streams the rows of the live files (at <paramref name="version"/>, default latest) whose partitions pass <paramref name="filter"/>.</summary>
    public async IAsyncEnumerable<TRow> ReadAsync(PartitionPredicate filter, long? version = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!await ExistsAsync(cancellationToken).ConfigureAwait(false)) yield break;
        var snapshot = await SnapshotAsync(version, cancellationToken).ConfigureAwait(false);
        EnsureSchemaMatches(snapshot);
        foreach (var file in snapshot.Files.Where(f => filter.Matches(f.PartitionValues)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var path = LakePaths.Combine(TablePath, PartitionPaths.FromLogPath(file.Path));
            await foreach (var row in ParquetFiles.ReadAsync<TRow>(Storage, path, cancellationToken).ConfigureAwait(false))
            {
                _spec.ApplyPartitionValues(row, file.PartitionValues);
                yield return row;
            }
        }
    }

    public IAsyncEnumerable<TRow> ReadAsync(PartitionPredicate filter, CancellationToken cancellationToken) =>
        ReadAsync(filter, null, cancellationToken);

    /// <summary>Replaces every partition matching <paramref name="replace"/> with <paramref name="rows"/>, all of which must fall inside it.</summary>
    public Task<CommitResult> OverwriteAsync(IAsyncEnumerable<TRow> rows, PartitionPredicate replace, CancellationToken cancellationToken = default) =>
        OverwriteAsync(rows, replace, txn: null, cancellationToken);

    /// <param name="txn">Optional application transaction (appId, version) recorded atomically with the data, for idempotent batches.</param>
    public async Task<CommitResult> OverwriteAsync(IAsyncEnumerable<TRow> rows, PartitionPredicate replace, TxnAction? txn, CancellationToken cancellationToken = default)
    {
        var writer = await WriteFilesAsync(rows, replace, cancellationToken).ConfigureAwait(false);
        return await _committer.CommitAsync(new PendingCommit(writer.Added, replace, txn, "WRITE", new Dictionary<string, string>
        {
            ["mode"] = "Overwrite", ["partitionBy"] = _partitionBy, ["predicate"] = replace.Description,
        }), writer.Rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A read-then-write: replaces the partitions matching <paramref name="replace"/> with <paramref name="rows"/>, computed
    /// from what the caller read at <paramref name="readVersion"/> (-1: no table yet). Any later commit that added or
    /// removed a file in <paramref name="readScope"/> makes it stale: <see cref="DeltaConflictException"/>, and the caller
    /// reads again (serializable for the partitions read; a plain overwrite is rebased instead).
    /// </summary>
    public async Task<CommitResult> OverwriteIfUnchangedAsync(IAsyncEnumerable<TRow> rows, PartitionPredicate replace, long readVersion,
        PartitionPredicate readScope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readScope);
        var writer = await WriteFilesAsync(rows, replace, cancellationToken).ConfigureAwait(false);
        return await _committer.CommitAsync(new PendingCommit(writer.Added, replace, null, "WRITE", new Dictionary<string, string>
        {
            ["mode"] = "Overwrite", ["partitionBy"] = _partitionBy, ["predicate"] = replace.Description, ["readVersion"] = readVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, readVersion, readScope), writer.Rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds rows without touching existing files (a blind append: rebased, not retried, when another writer wins).</summary>
    public async Task<CommitResult> AppendAsync(IAsyncEnumerable<TRow> rows, TxnAction? txn = null, CancellationToken cancellationToken = default)
    {
        var writer = await WriteFilesAsync(rows, null, cancellationToken).ConfigureAwait(false);
        return await _committer.CommitAsync(new PendingCommit(writer.Added, null, txn, "WRITE", new Dictionary<string, string>
        {
            ["mode"] = "Append", ["partitionBy"] = _partitionBy,
        }), writer.Rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last batch version committed by <paramref name="appId"/> (PROTOCOL.md "Transaction Identifiers"), or null.</summary>
    public async Task<long?> LatestTxnVersionAsync(string appId, CancellationToken cancellationToken = default) =>
        await ExistsAsync(cancellationToken).ConfigureAwait(false)
        && (await SnapshotAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Txns.TryGetValue(appId, out var t) ? t.Version : null;

    /// <summary>Deletes data files no snapshot within the retention period references (see <see cref="DeltaVacuum"/>).</summary>
    public async Task<IReadOnlyList<string>> VacuumAsync(TimeSpan? retention = null, bool dryRun = false, CancellationToken cancellationToken = default) =>
        await DeltaVacuum.RunAsync(Storage, TablePath, await SnapshotAsync(cancellationToken: cancellationToken).ConfigureAwait(false),
            retention ?? DeltaCommitter.TombstoneRetention, dryRun, _time, _logger, cancellationToken).ConfigureAwait(false);

    private async Task<DataFileWriter<TRow>> WriteFilesAsync(IAsyncEnumerable<TRow> rows, PartitionPredicate? replace, CancellationToken ct)
    {
        if (await ExistsAsync(ct).ConfigureAwait(false)) EnsureSchemaMatches(await SnapshotAsync(cancellationToken: ct).ConfigureAwait(false));
        var writer = new DataFileWriter<TRow>(Storage, TablePath, _spec, MaxRowsPerFile, MaxBytesPerFile, _time);
        try
        {
            await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
            {
                var values = _spec.PartitionValuesOf(row);
                if (replace is not null && !replace.Matches(values))
                    throw new ArgumentException($"{_spec.Name}: row with partition {Describe(values)} is outside the overwrite predicate {replace.Description}");
                await writer.AddAsync(row, values, ct).ConfigureAwait(false);
            }
            await writer.FlushAsync(ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            return writer;
        }
        catch
        {
            // The files still open are abandoned (their temporary files deleted); finished ones stay unreferenced, as after a crash.
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void EnsureSchemaMatches(DeltaSnapshot snapshot)
    {
        var expected = _spec.PartitionColumns.Select(c => c.Name).ToList();
        // A table written before this job's rows gained nullable columns is read (those columns null) and widened by
        // the next commit; any other difference is refused.
        if (!snapshot.Metadata.PartitionColumns.SequenceEqual(expected) || !(DeltaTableSchema.SameFields(snapshot.Metadata.SchemaString, _spec.SchemaString)
                || DeltaTableSchema.Widens(snapshot.Metadata.SchemaString, _spec.SchemaString)))
            throw new DeltaUnsupportedException(
                $"{Root}: table schema or partitioning differs from what this job writes ({_spec.Name}); refusing to mix them");
    }

    private static string Describe(IReadOnlyDictionary<string, string?> values) =>
        string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value ?? "null"}"));
}
