using System.Diagnostics.CodeAnalysis;
using Jobs.Lake;

namespace Jobs.Embeddings.Tests;

/// <summary>A local lake that counts the data files opened and the bytes read from them (not the log), per table folder.</summary>
internal sealed class ReadCountingStorage(string root) : ILakeStorage
{
    private readonly LocalLakeStorage _inner = new(root);
    private long _files, _bytes;

    public long FilesOpened => Interlocked.Read(ref _files);
    public long BytesRead => Interlocked.Read(ref _bytes);

    public void Reset()
    {
        Interlocked.Exchange(ref _files, 0);
        Interlocked.Exchange(ref _bytes, 0);
    }

    public string Location => _inner.Location;
    public string Describe(string path) => _inner.Describe(path);
    public IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, bool recursive, CancellationToken cancellationToken) => _inner.ListAsync(prefix, recursive, cancellationToken);

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var stream = await _inner.OpenReadAsync(path, cancellationToken);
        if (!path.EndsWith(".parquet", StringComparison.Ordinal) || path.Contains("_delta_log", StringComparison.Ordinal)) return stream; // checkpoints are log
        Interlocked.Increment(ref _files);
        return new Counting(stream, n => Interlocked.Add(ref _bytes, n));
    }

    public Task<long> WriteAsync(string path, Func<Stream, CancellationToken, Task> content, CancellationToken cancellationToken) => _inner.WriteAsync(path, content, cancellationToken);
    public Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => _inner.PutIfAbsentAsync(path, content, cancellationToken);
    public Task DeleteAsync(string path, CancellationToken cancellationToken) => _inner.DeleteAsync(path, cancellationToken);
    public bool TryGetLocalPath(string path, [NotNullWhen(true)] out string? localPath) => _inner.TryGetLocalPath(path, out localPath);

    private sealed class Counting(Stream inner, Action<int> read) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int n)
        {
            read(n);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
