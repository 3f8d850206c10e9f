namespace Jobs.Hosting;

/// <summary>
/// What a stage did: named counts for the summary event and the row count used for rows per second; and the days
/// outside its own date chunk whose data it changed (ingest moving a document of another day when a duplicate id
/// changes hands), for which the orchestrator must run the later stages again.
/// </summary>
public sealed record StageResult(long Rows, IReadOnlyDictionary<string, long> Counts)
{
    public IReadOnlyList<DateOnly> ChangedDays { get; init; } = [];

    public static StageResult Of(long rows, params (string Name, long Value)[] counts) =>
        new(rows, counts.ToDictionary(c => c.Name, c => c.Value));
}
