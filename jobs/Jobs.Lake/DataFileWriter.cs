namespace Jobs.Lake;

/// <summary>
/// Streams rows into Parquet data files, one open file per partition being written: a partition's rows are buffered
/// only until they fill a row group of about <see cref="ParquetFiles.RowGroupBytes"/> (or
/// <see cref="ParquetFiles.MaxRowGroupRows"/> rows), which is then appended to the partition's open file at once; a
/// file is finished at <c>maxRowsPerFile</c> rows or <c>maxBytesPerFile</c> bytes of row memory (<see cref="RowSize{TRow}"/>).
/// When the partial row groups of all partitions together exceed <see cref="BufferedBytesLimit"/> or
/// <see cref="BufferedRowsLimit"/> (one row group's worth), the largest is written early, and at most
/// <see cref="MaxOpenFiles"/> files are open: memory stays bounded by about two row groups (the partial ones, and the one
/// being shredded) however many partitions a chunk spans, however large its rows and files. Rows grouped by partition,
/// as date-partitioned sources deliver them, fill whole row groups; rows of many days interleaved make smaller groups
/// (measured: the partial groups' limit at two row groups' worth held 7 MiB more at the peak of a 100,000-record ingest
/// whose days interleave; see the README's ingest benchmark). Returns the add actions with exact sizes and stats over all of a file's row groups; nothing is visible to
/// readers until a commit references the files, and disposing before <see cref="FlushAsync"/> abandons the open ones.
/// </summary>
internal sealed class DataFileWriter<TRow>(ILakeStorage storage, string tablePath, TableSpec<TRow> spec, int maxRowsPerFile, long maxBytesPerFile, TimeProvider time)
    : IAsyncDisposable
    where TRow : class, new()
{
    public const long BufferedBytesLimit = ParquetFiles.RowGroupBytes;
    public const int BufferedRowsLimit = ParquetFiles.MaxRowGroupRows;
    public const int MaxOpenFiles = 16;

    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string?>? _lastValues;
    private Partition? _last;
    private int _buffered;
    private long _bufferedBytes;
    private int _open;

    public List<AddFile> Added { get; } = [];
    public long Rows { get; private set; }

    public async Task AddAsync(TRow row, IReadOnlyDictionary<string, string?> partitionValues, CancellationToken cancellationToken)
    {
        // Rows usually arrive grouped by partition: reuse the last partition instead of escaping its folder name for every row.
        if (_last is null || _lastValues is null || !SameValues(_lastValues, partitionValues))
        {
            var dir = PartitionPaths.Directory(spec.PartitionColumns, partitionValues);
            if (!_partitions.TryGetValue(dir, out _last)) _partitions[dir] = _last = new Partition(dir, partitionValues);
            _lastValues = partitionValues;
        }
        var partition = _last;
        var bytes = RowSize<TRow>.Of(row);
        partition.Group.Add(row);
        partition.GroupBytes += bytes;
        Rows++;
        _buffered++;
        _bufferedBytes += bytes;
        if ((partition.File?.Rows ?? 0) + partition.Group.Count >= maxRowsPerFile || (partition.File?.Bytes ?? 0) + partition.GroupBytes >= maxBytesPerFile)
        {
            await WriteGroupAsync(partition, cancellationToken).ConfigureAwait(false);
            await FinishFileAsync(partition).ConfigureAwait(false);
        }
        else if (partition.Group.Count >= ParquetFiles.MaxRowGroupRows || partition.GroupBytes >= ParquetFiles.RowGroupBytes)
            await WriteGroupAsync(partition, cancellationToken).ConfigureAwait(false);
        else if (_buffered > BufferedRowsLimit || _bufferedBytes > BufferedBytesLimit)
            await WriteGroupAsync(_partitions.Values.MaxBy(p => p.GroupBytes)!, cancellationToken).ConfigureAwait(false);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var partition in _partitions.Values.OrderBy(p => p.Dir, StringComparer.Ordinal))
        {
            if (partition.Group.Count > 0) await WriteGroupAsync(partition, cancellationToken).ConfigureAwait(false);
            if (partition.File is not null) await FinishFileAsync(partition).ConfigureAwait(false);
        }
    }

    private async Task WriteGroupAsync(Partition partition, CancellationToken cancellationToken)
    {
        if (partition.File is null)
        {
            if (_open >= MaxOpenFiles)
                await FinishFileAsync(_partitions.Values.Where(p => p.File is not null).MaxBy(p => p.File!.Bytes)!).ConfigureAwait(false);
            partition.RelativePath = (partition.Dir.Length > 0 ? partition.Dir + "/" : "") + $"part-{Guid.NewGuid():N}.c000.snappy.parquet";
            partition.File = new OpenDataFile<TRow>(storage, LakePaths.Combine(tablePath, partition.RelativePath), cancellationToken);
            _open++;
        }
        await partition.File.AppendAsync(partition.Group, partition.GroupBytes).ConfigureAwait(false);
        _buffered -= partition.Group.Count;
        _bufferedBytes -= partition.GroupBytes;
        // A new list, not Clear(): the written rows become collectable at once instead of pinning a large array.
        partition.Group = [];
        partition.GroupBytes = 0;
    }

    private async Task FinishFileAsync(Partition partition)
    {
        var file = partition.File!;
        partition.File = null;
        _open--;
        var size = await file.CompleteAsync().ConfigureAwait(false);
        Added.Add(new AddFile(PartitionPaths.ToLogPath(partition.RelativePath), partition.Values, size, time.GetUtcNow().ToUnixTimeMilliseconds(), true, file.Stats.ToJson()));
    }

    /// <summary>Abandons the files still open (a failed or cancelled write): the storage deletes their temporary files.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var partition in _partitions.Values)
        {
            if (partition.File is not { } file) continue;
            partition.File = null;
            await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Partition(string dir, IReadOnlyDictionary<string, string?> values)
    {
        public string Dir { get; } = dir;
        public IReadOnlyDictionary<string, string?> Values { get; } = values;
        public List<TRow> Group { get; set; } = [];
        public long GroupBytes { get; set; }
        public OpenDataFile<TRow>? File { get; set; }
        public string RelativePath { get; set; } = "";
    }

    private static bool SameValues(IReadOnlyDictionary<string, string?> a, IReadOnlyDictionary<string, string?> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
