namespace Jobs.Lake;

/// <summary>
/// Buffers rows per partition and writes a buffer as one Parquet data file once it reaches <c>maxRowsPerFile</c> rows
/// or <c>maxBytesPerFile</c> bytes of row memory (<see cref="RowSize{TRow}"/>), or, when all buffers together exceed
/// either, writes the largest one: memory stays bounded by about one file's rows and bytes however many partitions a
/// chunk spans and however large its rows (a table of 1 MiB texts is flushed every few dozen rows, not every 50,000). A file
/// is cut into row groups of about <see cref="ParquetFiles.RowGroupBytes"/>, so whoever reads it back one row group
/// at a time holds that much, not a whole file. Returns the add actions with exact sizes and value-derived
/// stats; nothing is visible to readers until a commit references the files.
/// </summary>
internal sealed class DataFileWriter<TRow>(ILakeStorage storage, string tablePath, TableSpec<TRow> spec, int maxRowsPerFile, long maxBytesPerFile, TimeProvider time)
    where TRow : class, new()
{
    private readonly Dictionary<string, Buffer> _buffers = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string?>? _lastValues;
    private string _lastDir = "";
    private int _buffered;
    private long _bufferedBytes;

    public List<AddFile> Added { get; } = [];
    public long Rows { get; private set; }

    public async Task AddAsync(TRow row, IReadOnlyDictionary<string, string?> partitionValues, CancellationToken cancellationToken)
    {
        // Rows usually arrive grouped by partition: reuse the last folder name instead of escaping it for every row.
        if (_lastValues is null || !SameValues(_lastValues, partitionValues))
        {
            _lastDir = PartitionPaths.Directory(spec.PartitionColumns, partitionValues);
            _lastValues = partitionValues;
        }
        var dir = _lastDir;
        if (!_buffers.TryGetValue(dir, out var buffer)) _buffers[dir] = buffer = new Buffer(partitionValues);
        var bytes = RowSize<TRow>.Of(row);
        buffer.Rows.Add(row);
        buffer.Bytes += bytes;
        Rows++;
        _buffered++;
        _bufferedBytes += bytes;
        if (buffer.Rows.Count >= maxRowsPerFile || buffer.Bytes >= maxBytesPerFile) await WriteBufferAsync(dir, cancellationToken).ConfigureAwait(false);
        else if (_buffered > maxRowsPerFile || _bufferedBytes > maxBytesPerFile)
            await WriteBufferAsync(_buffers.MaxBy(b => b.Value.Bytes).Key, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteBufferAsync(string dir, CancellationToken cancellationToken)
    {
        var buffer = _buffers[dir];
        Added.Add(await WriteAsync(dir, buffer.Values, buffer.Rows, ParquetFiles.RowGroupRows(buffer.Rows.Count, buffer.Bytes), cancellationToken).ConfigureAwait(false));
        _buffered -= buffer.Rows.Count;
        _bufferedBytes -= buffer.Bytes;
        // A new list, not Clear(): the written rows become collectable at once instead of pinning a large array.
        _buffers[dir] = new Buffer(buffer.Values);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var dir in _buffers.Where(b => b.Value.Rows.Count > 0).Select(b => b.Key).Order(StringComparer.Ordinal).ToList())
            await WriteBufferAsync(dir, cancellationToken).ConfigureAwait(false);
    }

    private sealed class Buffer(IReadOnlyDictionary<string, string?> values)
    {
        public IReadOnlyDictionary<string, string?> Values { get; } = values;
        public List<TRow> Rows { get; } = [];
        public long Bytes { get; set; }
    }

    private static bool SameValues(IReadOnlyDictionary<string, string?> a, IReadOnlyDictionary<string, string?> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private async Task<AddFile> WriteAsync(string dir, IReadOnlyDictionary<string, string?> values, List<TRow> rows, int rowGroupSize, CancellationToken ct)
    {
        var relative = (dir.Length > 0 ? dir + "/" : "") + $"part-{Guid.NewGuid():N}.c000.snappy.parquet";
        var size = await ParquetFiles.WriteAsync(storage, LakePaths.Combine(tablePath, relative), rows, rowGroupSize, ct).ConfigureAwait(false);
        return new AddFile(PartitionPaths.ToLogPath(relative), values, size, time.GetUtcNow().ToUnixTimeMilliseconds(), true, FileStats.Compute(rows));
    }
}
