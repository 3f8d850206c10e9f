namespace Jobs.Quality;

/// <summary>Counts failing rows and keeps the first few ids (the rows concerned) for the report.</summary>
public sealed class SampleTally(int keep = 5)
{
    private readonly List<string> _samples = [];

    public long Count { get; private set; }
    public IReadOnlyList<string> Samples => _samples;

    public void Fail(string id)
    {
        Count++;
        if (_samples.Count < keep) _samples.Add(id);
    }

    public static SampleTally Of(IEnumerable<string> ids, int keep)
    {
        var tally = new SampleTally(keep);
        foreach (var id in ids) tally.Fail(id);
        return tally;
    }
}
