using Jobs.Tables;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// The ids a run took from its chunk. The first record of an id goes on to <c>documents</c>; a later one with the
/// same content is an exact duplicate (counted, dropped); a later one with different content is set aside whole (such
/// records are few), because which of them keeps the id is decided by the rule over every day, not by reading order.
/// <para>
/// Memory per record is bounded and small: the candidates themselves (id, position, content hash) go to a
/// <see cref="CandidateSpool"/> file, and memory keeps a 64-bit hash of each id with its candidate's position in that
/// file (a dictionary entry of about 28 bytes, up to twice that while the dictionary grows). A hash found is always
/// re-checked against the exact id read back from the spool; two different ids with the same hash are both kept, the
/// later one by its exact id in a side table.
/// </para>
/// </summary>
public sealed class ChunkIds : IDisposable
{
    private readonly CandidateSpool _spool = new();
    private readonly Dictionary<ulong, long> _first = [];
    private readonly Dictionary<string, long> _collided = new(StringComparer.Ordinal);
    private readonly HashSet<(string Id, string Hash)> _asideTaken = [];
    private readonly List<(IdCandidate Candidate, DocumentRow Document)> _asides = [];
    private readonly Func<string, ulong> _hash;

    public ChunkIds()
        : this(IdHash)
    {
    }

    /// <param name="hash">The id hash (<see cref="IdHash"/>); tests pass a poor one to force collisions.</param>
    public ChunkIds(Func<string, ulong> hash) => _hash = hash;

    public enum Outcome { Taken, ExactDuplicate, SetAside }

    /// <summary>Candidates taken: the records sent to <c>documents</c> and those set aside.</summary>
    public long Count => _spool.Count;

    /// <summary>Ids whose hash another id of the chunk already held (kept by their exact id).</summary>
    public int Collisions => _collided.Count;

    public Outcome Take(DocumentRow doc, string recordRef)
    {
        var candidate = IdCandidate.Of(doc, recordRef);
        if (Find(doc.DocId) is not { } first)
        {
            var position = _spool.Append(candidate);
            if (!_first.TryAdd(_hash(doc.DocId), position)) _collided.Add(doc.DocId, position);
            return Outcome.Taken;
        }
        if (first.RecordHash == candidate.RecordHash || !_asideTaken.Add((doc.DocId, candidate.RecordHash))) return Outcome.ExactDuplicate;
        _spool.Append(candidate);
        _asides.Add((candidate, doc));
        return Outcome.SetAside;
    }

    /// <summary>Every candidate of the chunk, read back from the spool: the records sent to <c>documents</c> and those set aside.</summary>
    public IEnumerable<IdCandidate> Candidates => _spool.ReadAll();

    public IReadOnlyList<(IdCandidate Candidate, DocumentRow Document)> Asides => _asides;

    /// <summary>Whether the run took a record of <paramref name="docId"/> (exact: a hash found is checked against the id itself).</summary>
    public bool Contains(string docId) => Find(docId) is not null;

    /// <summary>Whether the record at <paramref name="source"/> <paramref name="recordRef"/> is the one this run sent to <c>documents</c> for the id.</summary>
    public bool TookFirst(string docId, string source, string recordRef) =>
        Find(docId) is { } c && c.Source == source && c.RecordRef == recordRef;

    /// <summary>Quarantine rows of the set-aside records judged within the chunk alone (when the run stops before the lake-wide decision).</summary>
    public IEnumerable<QuarantineRow> ChunkOnlyRows(DuplicateIdRule rule, string runId)
    {
        foreach (var group in _asides.GroupBy(a => a.Candidate.DocId, StringComparer.Ordinal))
        {
            var first = Find(group.Key) ?? throw new InvalidOperationException($"set-aside id '{group.Key}' has no first candidate");
            var winner = IdCandidate.Winner(group.Select(a => a.Candidate).Append(first), rule);
            foreach (var (candidate, doc) in group)
                if (candidate != winner) yield return DuplicateRows.For(doc, candidate, winner, rule, runId);
        }
    }

    /// <summary>The first candidate of <paramref name="docId"/>, or null: by hash, confirmed by the exact id in the spool.</summary>
    private IdCandidate? Find(string docId)
    {
        if (!_first.TryGetValue(_hash(docId), out var position)) return null;
        var candidate = _spool.Read(position);
        if (candidate.DocId == docId) return candidate;
        return _collided.TryGetValue(docId, out position) ? _spool.Read(position) : null;
    }

    /// <summary>FNV-1a over the id's UTF-16 units, then a 64-bit finalizer to spread it; collisions are handled exactly.</summary>
    public static ulong IdHash(string docId)
    {
        ArgumentNullException.ThrowIfNull(docId);
        var h = 14695981039346656037UL;
        foreach (var c in docId)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    public void Dispose() => _spool.Dispose();
}
