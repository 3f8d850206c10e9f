using System.Text;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// The chunk's id candidates in a temporary file, in the order they were taken, instead of in memory: memory keeps only
/// each one's position (see <see cref="ChunkIds"/>). A candidate is read back by position (a duplicate id, an exact
/// re-check of an id hash) or all in order (the <c>document_ids</c> rows). Deleted on dispose.
/// </summary>
public sealed class CandidateSpool : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"jobs-candidates-{Guid.NewGuid():N}.bin");
    private readonly FileStream _file;
    private readonly BinaryWriter _writer;
    private FileStream? _lookup;
    private BinaryReader? _lookupReader;

    public CandidateSpool()
    {
        _file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
        _writer = new BinaryWriter(_file, Encoding.UTF8, leaveOpen: true);
    }

    public long Count { get; private set; }

    /// <summary>Appends <paramref name="candidate"/>; returns its position for <see cref="Read"/>.</summary>
    public long Append(IdCandidate candidate)
    {
        var position = _file.Position;
        _writer.Write(candidate.DocId);
        _writer.Write(candidate.Timestamp.Ticks);
        _writer.Write(candidate.Source);
        _writer.Write(candidate.RecordRef);
        _writer.Write(candidate.RecordHash);
        _writer.Write(candidate.Day.DayNumber);
        Count++;
        return position;
    }

    /// <summary>The candidate appended at <paramref name="position"/>.</summary>
    public IdCandidate Read(long position)
    {
        _writer.Flush();
        if (_lookup is null)
        {
            _lookup = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.RandomAccess);
            _lookupReader = new BinaryReader(_lookup, Encoding.UTF8, leaveOpen: true);
        }
        _lookup.Position = position;
        return ReadOne(_lookupReader!);
    }

    /// <summary>Every candidate, in the order appended; may be called again.</summary>
    public IEnumerable<IdCandidate> ReadAll()
    {
        _writer.Flush();
        var count = Count;
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        for (long i = 0; i < count; i++) yield return ReadOne(reader);
    }

    private static IdCandidate ReadOne(BinaryReader reader)
    {
        var docId = reader.ReadString();
        var timestamp = new DateTime(reader.ReadInt64(), DateTimeKind.Utc);
        var source = reader.ReadString();
        var recordRef = reader.ReadString();
        var recordHash = reader.ReadString();
        var day = DateOnly.FromDayNumber(reader.ReadInt32());
        return new IdCandidate(docId, timestamp, source, recordRef, recordHash, day);
    }

    public void Dispose()
    {
        _lookupReader?.Dispose();
        _lookup?.Dispose();
        _writer.Dispose();
        _file.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // a temporary file: the pod's disk goes with it
        }
    }
}
