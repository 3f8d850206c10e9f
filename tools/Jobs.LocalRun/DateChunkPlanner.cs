using Jobs.Contracts;

namespace Jobs.LocalRun;

/// <summary>Splits [start, end) into consecutive half-open chunks of at most <c>days</c> days, as the DAG does.</summary>
public static class DateChunkPlanner
{
    public static IReadOnlyList<DateChunk> Split(DateOnly start, DateOnly end, int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var chunks = new List<DateChunk>();
        for (var s = start; s < end; s = s.AddDays(days))
            chunks.Add(new DateChunk(s, s.AddDays(days) < end ? s.AddDays(days) : end));
        return chunks;
    }
}
