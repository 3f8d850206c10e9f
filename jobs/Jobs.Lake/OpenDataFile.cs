using System.Threading.Channels;

namespace Jobs.Lake;

/// <summary>
/// One data file being written a row group at a time: <see cref="ILakeStorage.WriteAsync"/> runs for the file's whole
/// life, its content callback appending each row group handed over by <see cref="AppendAsync"/> (Parquet.Net's append
/// mode rewrites only the footer) to the storage's temporary file, so only the row group being shredded is in memory,
/// never the file. <see cref="CompleteAsync"/> makes the file appear whole at its key, exactly as a one-shot write;
/// <see cref="DisposeAsync"/> before that abandons it, and the storage deletes its temporary file.
/// </summary>
internal sealed class OpenDataFile<TRow> : IAsyncDisposable
{
    private readonly Channel<(List<TRow> Rows, TaskCompletionSource Written)> _groups =
        Channel.CreateUnbounded<(List<TRow>, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task<long> _write;

    public OpenDataFile(ILakeStorage storage, string path, CancellationToken cancellationToken)
    {
        _write = storage.WriteAsync(path, AppendGroupsAsync, cancellationToken);
    }

    public FileStats<TRow> Stats { get; } = new();
    public long Rows { get; private set; }
    /// <summary>Row memory (<see cref="RowSize{TRow}"/>) of the rows written so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>Writes <paramref name="rows"/> as the file's next row group; returns once it is on the storage's stream.</summary>
    public async Task AppendAsync(List<TRow> rows, long bytes)
    {
        foreach (var row in rows) Stats.Add(row);
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_groups.Writer.TryWrite((rows, written))) throw new InvalidOperationException("the data file is already complete");
        // The write ends early only by failing (storage error, cancellation): surface that instead of waiting forever.
        if (await Task.WhenAny(written.Task, _write).ConfigureAwait(false) == _write && !written.Task.IsCompleted) await _write.ConfigureAwait(false);
        await written.Task.ConfigureAwait(false);
        Rows += rows.Count;
        Bytes += bytes;
    }

    /// <summary>Writes the footer and publishes the file; returns its exact size.</summary>
    public Task<long> CompleteAsync()
    {
        _groups.Writer.TryComplete();
        return _write;
    }

    private async Task AppendGroupsAsync(Stream file, CancellationToken cancellationToken)
    {
        var first = true;
        await foreach (var (rows, written) in _groups.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await ParquetFiles.WriteRowGroupAsync(file, rows, append: !first, cancellationToken).ConfigureAwait(false);
                first = false;
                written.SetResult();
            }
            catch (Exception e)
            {
                written.TrySetException(e);
                throw;
            }
        }
        if (first) throw new InvalidOperationException("a data file needs at least one row group");
    }

    public async ValueTask DisposeAsync()
    {
        if (_write.IsCompleted) return;
        // Abandoned before completion: fail the content callback, so that the storage deletes what it wrote.
        _groups.Writer.TryComplete(new OperationCanceledException("data file abandoned"));
        // Its failure (the abandonment itself, or an earlier storage error) is not news to whoever abandons the file.
        await ((Task)_write).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
