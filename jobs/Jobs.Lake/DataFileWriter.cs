namespace Jobs.Lake;

/// <summary>
/// Buffers rows per partition and writes each buffer as one Parquet data file once it reaches
/// <c>maxRowsPerFile</c> (and at the end), returning the add actions with exact sizes and value-derived stats.
/// Nothing is visible to readers until a commit references the files.
/// </summary>
internal sealed class DataFileWriter<TRow>(string root, TableSpec<TRow> spec, int maxRowsPerFile, TimeProvider time)
    where TRow : class, new()
{
    private readonly Dictionary<string, (IReadOnlyDictionary<string, string?> Values, List<TRow> Rows)> _buffers = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string?>? _lastValues;
    private string _lastDir = "";

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
        if (!_buffers.TryGetValue(dir, out var buffer)) _buffers[dir] = buffer = (partitionValues, new List<TRow>());
        buffer.Rows.Add(row);
        Rows++;
        if (buffer.Rows.Count < maxRowsPerFile) return;
        Added.Add(await WriteAsync(dir, buffer.Values, buffer.Rows, cancellationToken).ConfigureAwait(false));
        buffer.Rows.Clear();
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var (dir, buffer) in _buffers.Where(b => b.Value.Rows.Count > 0).OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            Added.Add(await WriteAsync(dir, buffer.Values, buffer.Rows, cancellationToken).ConfigureAwait(false));
            buffer.Rows.Clear();
        }
    }

    private static bool SameValues(IReadOnlyDictionary<string, string?> a, IReadOnlyDictionary<string, string?> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private async Task<AddFile> WriteAsync(string dir, IReadOnlyDictionary<string, string?> values, List<TRow> rows, CancellationToken ct)
    {
        var relative = (dir.Length > 0 ? dir + "/" : "") + $"part-{Guid.NewGuid():N}.c000.snappy.parquet";
        var size = await ParquetFiles.WriteAsync(Path.Combine(root, relative), rows, ct).ConfigureAwait(false);
        return new AddFile(PartitionPaths.ToLogPath(relative), values, size, time.GetUtcNow().ToUnixTimeMilliseconds(), true, FileStats.Compute(rows));
    }
}
