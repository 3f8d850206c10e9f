using Jobs.Ingest;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// When a Delta file may be skipped by the min/max stats of its timestamp column: only when no row can fall in the
/// chunk. A wrong skip loses records silently, so the boundaries are pinned here (stats at millisecond precision,
/// Spark's offsets, zone-less types, null timestamps, missing or malformed stats).
/// </summary>
public sealed class DeltaFileStatsTests
{
    private static readonly DateTime Start = new(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new(2024, 3, 3, 0, 0, 0, DateTimeKind.Utc);

    private static string Stats(string min, string max, long nulls = 0) =>
        $$$"""{"numRecords":5,"minValues":{"ts":"{{{min}}}"},"maxValues":{"ts":"{{{max}}}"},"nullCount":{"ts":{{{nulls}}}}}""";

    [Theory]
    [InlineData("2024-03-01T00:00:00.000Z", "2024-03-01T23:59:59.999Z", "timestamp", true)]   // the day before, to its last ms
    [InlineData("2024-03-01T00:00:00.000Z", "2024-03-02T00:00:00.000Z", "timestamp", false)]  // max exactly at the start
    [InlineData("2024-03-03T00:00:00.000Z", "2024-03-04T00:00:00.000Z", "timestamp", true)]   // min exactly at the (exclusive) end
    [InlineData("2024-03-02T23:59:59.999Z", "2024-03-04T00:00:00.000Z", "timestamp", false)]
    [InlineData("2024-03-01T10:00:00.000-16:00", "2024-03-01T10:00:00.000-16:00", "timestamp", false)] // 2024-03-02T02:00Z
    [InlineData("2024-03-01T00:00:00.000-08:00", "2024-03-01T15:59:59.999-08:00", "timestamp", true)]  // Spark's offset form
    [InlineData("2024-02-28T00:00:00.000", "2024-02-29T23:59:59.999", "timestamp_ntz", true)]          // two days before
    [InlineData("2024-02-28T00:00:00.000", "2024-03-01T23:59:59.999", "timestamp_ntz", false)]         // the day before: a zone may move it
    [InlineData("2024-02-27", "2024-02-29", "date", true)]
    [InlineData("2024-02-27", "2024-03-01", "date", false)]
    [InlineData("2024-03-03", "2024-03-05", "date", false)] // 03-03 00:00 at UTC+14 is 03-02 10:00 UTC
    [InlineData("2024-03-04", "2024-03-05", "date", true)]
    public void OutsideRange_ByMinAndMax_SkipsOnlyWhenNoRowCanBeInTheChunk(string min, string max, string type, bool outside) =>
        Assert.Equal(outside, DeltaFileStats.Parse(Stats(min, max), "ts")!.OutsideRange(type, Start, End));

    [Fact]
    public void OutsideRange_FileWithNullTimestamps_IsNeverSkipped() =>
        Assert.False(DeltaFileStats.Parse(Stats("2020-01-01T00:00:00.000Z", "2020-01-02T00:00:00.000Z", nulls: 1), "ts")!.OutsideRange("timestamp", Start, End));

    [Theory]
    [InlineData("""{"numRecords":5}""")]                                                   // no min/max (e.g. a long string column)
    [InlineData("""{"numRecords":5,"minValues":{"ts":"2020-01-01T00:00:00.000Z"},"maxValues":{"ts":"2020-01-01T00:00:00.000Z"}}""")] // no nullCount
    [InlineData("""{"numRecords":5,"minValues":{"ts":"yesterday"},"maxValues":{"ts":"today"},"nullCount":{"ts":0}}""")]
    public void OutsideRange_IncompleteStats_NeverSkip(string stats) =>
        Assert.False(DeltaFileStats.Parse(stats, "ts")!.OutsideRange("timestamp", Start, End));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{not json")]
    public void Parse_MissingOrMalformedStats_IsNull(string? stats) => Assert.Null(DeltaFileStats.Parse(stats, "ts"));

    [Fact]
    public void Parse_NumRecords_IsReadWithoutATimeColumn() => Assert.Equal(7, DeltaFileStats.Parse("""{"numRecords":7}""", null)!.NumRecords);
}
