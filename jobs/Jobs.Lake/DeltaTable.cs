using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Jobs.Lake;

/// <summary>
/// A Delta table of <typeparamref name="TRow"/> rows under <c>lakeRoot/spec.Name</c>. Writes replace whole
/// partitions in one atomic commit (removes + adds), which makes every job idempotent per date chunk.
/// </summary>
public sealed class DeltaTable<TRow> where TRow : class, new()
{
    private const int MaxCommitAttempts = 20;
    private readonly TableSpec<TRow> _spec;
    private readonly DeltaLogStore _log;
    private readonly TimeProvider _time;

    public DeltaTable(string lakeRoot, TableSpec<TRow> spec, TimeProvider? timeProvider = null)
    {
        _spec = spec;
        Root = Path.Combine(lakeRoot, spec.Name);
        _log = new DeltaLogStore(Root);
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Root { get; }
    public int MaxRowsPerFile { get; init; } = 50_000;
    public bool Exists => _log.Exists;

    public Task<DeltaSnapshot> SnapshotAsync(long? version = null, CancellationToken cancellationToken = default) =>
        DeltaSnapshot.LoadAsync(_log, version, cancellationToken);

    /// <summary>Streams the rows of the live files whose partition values pass <paramref name="filter"/>.</summary>
    public async IAsyncEnumerable<TRow> ReadAsync(PartitionPredicate filter,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Exists) yield break;
        var snapshot = await SnapshotAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        EnsureSchemaMatches(snapshot);
        foreach (var file in snapshot.Files.Where(f => filter.Matches(f.PartitionValues)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var path = Path.Combine(Root, PartitionPaths.FromLogPath(file.Path));
            await foreach (var row in ParquetFiles.ReadAsync<TRow>(path, cancellationToken).ConfigureAwait(false))
            {
                _spec.ApplyPartitionValues(row, file.PartitionValues);
                yield return row;
            }
        }
    }

    /// <summary>
    /// Replaces every partition matching <paramref name="replace"/> with <paramref name="rows"/>, all of which must
    /// fall inside it. Data files are written first; the single commit that makes them visible comes last.
    /// </summary>
    public async Task<CommitResult> OverwriteAsync(IAsyncEnumerable<TRow> rows, PartitionPredicate replace,
        CancellationToken cancellationToken = default)
    {
        var adds = new List<AddFile>();
        var buffers = new Dictionary<string, (IReadOnlyDictionary<string, string?> Values, List<TRow> Rows)>(StringComparer.Ordinal);
        long rowCount = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var values = _spec.PartitionValuesOf(row);
            if (!replace.Matches(values))
                throw new ArgumentException($"{_spec.Name}: row with partition {Describe(values)} is outside the overwrite predicate {replace.Description}");
            var dir = PartitionPaths.Directory(_spec.PartitionColumns, values);
            if (!buffers.TryGetValue(dir, out var buffer)) buffers[dir] = buffer = (values, new List<TRow>());
            buffer.Rows.Add(row);
            rowCount++;
            if (buffer.Rows.Count >= MaxRowsPerFile)
            {
                adds.Add(await WriteFileAsync(dir, buffer.Values, buffer.Rows, cancellationToken).ConfigureAwait(false));
                buffer.Rows.Clear();
            }
        }
        foreach (var (dir, buffer) in buffers.Where(b => b.Value.Rows.Count > 0).OrderBy(b => b.Key, StringComparer.Ordinal))
            adds.Add(await WriteFileAsync(dir, buffer.Values, buffer.Rows, cancellationToken).ConfigureAwait(false));

        cancellationToken.ThrowIfCancellationRequested();
        return await CommitAsync(adds, replace, rowCount, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AddFile> WriteFileAsync(string dir, IReadOnlyDictionary<string, string?> values, List<TRow> rows, CancellationToken ct)
    {
        var relative = (dir.Length > 0 ? dir + "/" : "") + $"part-{Guid.NewGuid():N}.c000.snappy.parquet";
        var size = await ParquetFiles.WriteAsync(Path.Combine(Root, relative), rows, ct).ConfigureAwait(false);
        var stats = JsonSerializer.Serialize(new { numRecords = rows.Count });
        return new AddFile(PartitionPaths.ToLogPath(relative), values, size, _time.GetUtcNow().ToUnixTimeMilliseconds(), true, stats);
    }

    private async Task<CommitResult> CommitAsync(List<AddFile> adds, PartitionPredicate replace, long rowCount, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            DeltaSnapshot? snapshot = Exists ? await SnapshotAsync(cancellationToken: cancellationToken).ConfigureAwait(false) : null;
            if (snapshot is not null)
            {
                snapshot.EnsureWritable(Root);
                EnsureSchemaMatches(snapshot);
            }
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            // Removes are recomputed from the latest snapshot on every attempt: an overwrite's result does not
            // depend on what it replaces, so after losing a race it is safe to re-apply on top of the winner.
            var removes = (snapshot?.Files ?? []).Where(f => replace.Matches(f.PartitionValues))
                .Select(f => new RemoveFile(f.Path, now, true, f.PartitionValues, f.Size)).ToList();
            if (snapshot is not null && adds.Count == 0 && removes.Count == 0)
                return new CommitResult(snapshot.Version, 0, 0, 0, attempt);

            var info = new CommitInfo(now, "WRITE", new Dictionary<string, string>
            {
                ["mode"] = "Overwrite",
                ["partitionBy"] = JsonSerializer.Serialize(_spec.PartitionColumns.Select(c => c.Name)),
                ["predicate"] = replace.Description,
            }, IsBlindAppend: false, Guid.NewGuid().ToString());
            var protocol = snapshot is null ? new ProtocolAction(1, 2, null, null) : null;
            var metadata = snapshot is null
                ? new MetadataAction(Guid.NewGuid().ToString(), _spec.SchemaString, _spec.PartitionColumns.Select(c => c.Name).ToList(),
                    new Dictionary<string, string?>(), now)
                : null;
            var version = (snapshot?.Version ?? -1) + 1;
            if (_log.TryCommit(version, DeltaLogJson.Serialize(info, protocol, metadata, removes, adds, [])))
                return new CommitResult(version, adds.Count, removes.Count, rowCount, attempt);
            if (attempt >= MaxCommitAttempts)
                throw new DeltaConflictException($"{Root}: lost the commit race {attempt} times; giving up");
        }
    }

    private void EnsureSchemaMatches(DeltaSnapshot snapshot)
    {
        var expected = _spec.PartitionColumns.Select(c => c.Name).ToList();
        if (!snapshot.Metadata.PartitionColumns.SequenceEqual(expected) || !SameJson(snapshot.Metadata.SchemaString, _spec.SchemaString))
            throw new DeltaUnsupportedException(
                $"{Root}: table schema or partitioning differs from what this job writes ({_spec.Name}); refusing to mix them");
    }

    private static bool SameJson(string a, string b) =>
        JsonSerializer.Serialize(JsonDocument.Parse(a)) == JsonSerializer.Serialize(JsonDocument.Parse(b));

    private static string Describe(IReadOnlyDictionary<string, string?> values) =>
        string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value ?? "null"}"));
}
