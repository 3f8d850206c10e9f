using Jobs.Contracts;
using Jobs.Lake;

namespace Jobs.Tables;

/// <summary>The <c>day</c> partition column shared by the lake tables, and predicates over date chunks.</summary>
public static class DayPartition
{
    public const string Column = "day";
    public static readonly PartitionColumn Definition = new(Column, "date");

    public static string? Format(DateOnly? day) => day is { } d ? DateChunk.FormatDay(d) : null;

    public static DateOnly? Parse(IReadOnlyDictionary<string, string?> values) =>
        values.TryGetValue(Column, out var v) && !string.IsNullOrEmpty(v) ? DateChunk.ParseDay(v) : null;

    /// <summary>Partitions whose day falls in the chunk (nulls excluded).</summary>
    public static PartitionPredicate Within(DateChunk chunk) => new(
        $"{Column} >= '{Format(chunk.Start)}' AND {Column} < '{Format(chunk.End)}'",
        values => Parse(values) is { } d && chunk.Contains(d));

    /// <summary>Partitions in the chunk plus the null partition (records whose date could not be read).</summary>
    public static PartitionPredicate WithinOrUndated(DateChunk chunk) => new(
        $"({Within(chunk).Description}) OR {Column} IS NULL",
        values => Parse(values) is not { } d || chunk.Contains(d));
}
