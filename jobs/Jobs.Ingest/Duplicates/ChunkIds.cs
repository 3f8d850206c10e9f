using Jobs.Tables;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// The ids a run took from its chunk. The first record of an id goes on to <c>documents</c>; a later one with the
/// same content is an exact duplicate (counted, dropped); a later one with different content is set aside whole (such
/// records are few), because which of them keeps the id is decided by the rule over every day, not by reading order.
/// </summary>
public sealed class ChunkIds
{
    private readonly Dictionary<string, IdCandidate> _first = new(StringComparer.Ordinal);
    private readonly HashSet<(string Id, string Hash)> _taken = [];
    private readonly List<(IdCandidate Candidate, DocumentRow Document)> _asides = [];

    public enum Outcome { Taken, ExactDuplicate, SetAside }

    public Outcome Take(DocumentRow doc, string recordRef)
    {
        var candidate = IdCandidate.Of(doc, recordRef);
        if (!_taken.Add((doc.DocId, candidate.RecordHash))) return Outcome.ExactDuplicate;
        if (_first.TryAdd(doc.DocId, candidate)) return Outcome.Taken;
        _asides.Add((candidate, doc));
        return Outcome.SetAside;
    }

    /// <summary>Every candidate of the chunk: the records sent to <c>documents</c> and those set aside.</summary>
    public IEnumerable<IdCandidate> Candidates => _first.Values.Concat(_asides.Select(a => a.Candidate));

    public IReadOnlyList<(IdCandidate Candidate, DocumentRow Document)> Asides => _asides;

    /// <summary>Whether the record at <paramref name="source"/> <paramref name="recordRef"/> is the one this run sent to <c>documents</c> for the id.</summary>
    public bool TookFirst(string docId, string source, string recordRef) =>
        _first.TryGetValue(docId, out var c) && c.Source == source && c.RecordRef == recordRef;

    /// <summary>Quarantine rows of the set-aside records judged within the chunk alone (when the run stops before the lake-wide decision).</summary>
    public IEnumerable<QuarantineRow> ChunkOnlyRows(DuplicateIdRule rule, string runId)
    {
        foreach (var group in _asides.GroupBy(a => a.Candidate.DocId, StringComparer.Ordinal))
        {
            var winner = IdCandidate.Winner(group.Select(a => a.Candidate).Append(_first[group.Key]), rule);
            foreach (var (candidate, doc) in group)
                if (candidate != winner) yield return DuplicateRows.For(doc, candidate, winner, rule, runId);
        }
    }
}
