namespace Jobs.Ingest;

/// <summary>
/// The quarantine gate of each source when a run reads several: one source with a wrong mapping fails the run
/// (exit 4) and is named, even when the other sources' good records keep the run's overall share under the limit.
/// Files come grouped by source, so a source's counts are the run's counts between its first and last file.
/// </summary>
internal sealed class SourceGate(IngestCounts counts, double maxShare, bool enabled)
{
    private readonly List<string> _problems = [];
    private IngestSource? _current;
    private IngestCounts _start = new();

    public void Enter(IngestSource source)
    {
        if (!enabled || ReferenceEquals(source, _current)) return;
        Close();
        _current = source;
        _start = Copy(counts);
    }

    public IReadOnlyList<string> Problems()
    {
        Close();
        return _problems;
    }

    private void Close()
    {
        if (_current is null) return;
        var own = new IngestCounts
        {
            Read = counts.Read - _start.Read, Accepted = counts.Accepted - _start.Accepted, Quarantined = counts.Quarantined - _start.Quarantined,
            QuarantinedUndated = counts.QuarantinedUndated - _start.QuarantinedUndated, Duplicates = counts.Duplicates - _start.Duplicates,
        };
        foreach (var problem in own.GateProblems(maxShare)) _problems.Add($"{_current.Name}: {problem}");
        _current = null;
    }

    private static IngestCounts Copy(IngestCounts c) => new()
    {
        Read = c.Read, Accepted = c.Accepted, Quarantined = c.Quarantined, QuarantinedUndated = c.QuarantinedUndated, Duplicates = c.Duplicates,
    };
}
