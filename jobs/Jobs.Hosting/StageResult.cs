namespace Jobs.Hosting;

/// <summary>What a stage did: named counts for the summary event and the row count used for rows per second.</summary>
public sealed record StageResult(long Rows, IReadOnlyDictionary<string, long> Counts)
{
    public static StageResult Of(long rows, params (string Name, long Value)[] counts) =>
        new(rows, counts.ToDictionary(c => c.Name, c => c.Value));
}
