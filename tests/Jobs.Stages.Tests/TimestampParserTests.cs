using Jobs.Ingest;
using Xunit;

namespace Jobs.Stages.Tests;

public sealed class TimestampParserTests
{
    private static string? Utc(TimestampParser parser, string raw) => parser.Parse(raw).Utc?.ToString("O");

    [Theory]
    [InlineData("2024-03-04", "2024-03-04T00:00:00.0000000Z")]
    [InlineData("2024-03-04T10:15:00+02:00", "2024-03-04T08:15:00.0000000Z")]
    [InlineData("2024-03-04T10:15:00Z", "2024-03-04T10:15:00.0000000Z")]
    [InlineData("2024-03-04t10:15:00.123456789z", "2024-03-04T10:15:00.1234567Z")]
    [InlineData("2024-03-04 10:15:00", "2024-03-04T10:15:00.0000000Z")]
    [InlineData("2024-03-04T10:15", "2024-03-04T10:15:00.0000000Z")]
    [InlineData("2024-03-04T10:15:00-16:00", "2024-03-05T02:15:00.0000000Z")]   // beyond DateTimeOffset's ±14:00
    [InlineData("2024-03-04T10:15:00+18:00", "2024-03-03T16:15:00.0000000Z")]
    [InlineData("2024-03-04T10:15:00+23:59", "2024-03-03T10:16:00.0000000Z")]
    [InlineData("2024-03-04T23:30:00-0130", "2024-03-05T01:00:00.0000000Z")]     // the UTC day is the next one
    [InlineData("2016-12-31T23:59:60Z", "2017-01-01T00:00:00.0000000Z")]        // a leap second
    [InlineData("04/03/2024", null)]
    [InlineData("yesterday", null)]
    [InlineData("2024-03-04T10:15:00+24:00", null)]
    public void Parse_Rfc3339_AnyOffsetTheSyntaxAllows_ReturnsTheUtcInstant(string raw, string? expected) =>
        Assert.Equal(expected, Utc(TimestampParser.Default, raw));

    [Theory]
    [InlineData("2024-13-01")]
    [InlineData("2024-02-30T10:00:00Z")]
    [InlineData("2024-03-04T25:00:00Z")]
    [InlineData("0001-01-01T00:30:00+01:00")]    // before year 1 once in UTC
    [InlineData("9999-12-31T23:00:00-16:00")]    // after year 9999 once in UTC
    public void Parse_WellFormedButNoInstant_IsOutOfRange(string raw)
    {
        var result = TimestampParser.Default.Parse(raw);
        Assert.True(result.OutOfRange, result.Problem);
        Assert.Null(result.Utc);
    }

    [Theory]
    [InlineData("Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37.0000000Z")]
    [InlineData("Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06.0000000Z")]
    [InlineData("1 Jul 2003 10:52:37 -1600", "2003-07-02T02:52:37.0000000Z")]     // real mail carries such offsets
    [InlineData("Mon, 7 Feb 2000 20:05 +1800", "2000-02-07T02:05:00.0000000Z")]
    [InlineData("Thu, 13 Feb 69 23:32:54 -0330", "1969-02-14T03:02:54.0000000Z")] // 2-digit year, 19xx
    [InlineData("Wed, 2 Oct 02 08:00:00 EST", "2002-10-02T13:00:00.0000000Z")]   // obsolete zone name, 20xx
    [InlineData("Wed, 2 Oct 2002 15:00:00 GMT (Greenwich)", "2002-10-02T15:00:00.0000000Z")]
    public void Parse_Rfc2822WhenConfigured_ReturnsTheUtcInstant(string raw, string expected)
    {
        Assert.Null(Utc(TimestampParser.Default, raw)); // not accepted unless configured
        Assert.Equal(expected, Utc(new TimestampParser([TimestampParser.Rfc3339, TimestampParser.Rfc2822]), raw));
    }

    [Fact]
    public void Parse_ZoneLessValue_TakesTheDefaultTimeZone()
    {
        var paris = new TimestampParser(null, "Europe/Paris");
        Assert.Equal("2024-01-15T09:00:00.0000000Z", Utc(paris, "2024-01-15T10:00:00"));       // CET, +01:00
        Assert.Equal("2024-07-15T08:00:00.0000000Z", Utc(paris, "2024-07-15T10:00:00"));       // CEST, +02:00
        Assert.Equal("2024-07-15T10:00:00.0000000Z", Utc(paris, "2024-07-15T10:00:00Z"));      // an offset wins
        Assert.Equal("2024-07-15T00:00:00.0000000Z", Utc(paris, "2024-07-15"));                // a bare date is its day
        Assert.True(paris.Parse("2024-03-31T02:30:00").OutOfRange);                            // skipped by the clock change
    }

    [Fact]
    public void Parse_CustomFormats_AreTriedInOrder()
    {
        var parser = new TimestampParser(["dd/MM/yyyy HH:mm", "yyyyMMdd", "dd.MM.yyyy HH:mm zzz"], "America/New_York");
        Assert.Equal("2024-03-04T15:15:00.0000000Z", Utc(parser, "04/03/2024 10:15"));
        Assert.Equal("2024-03-04T05:00:00.0000000Z", Utc(parser, "20240304"));
        Assert.Equal("2024-03-04T08:15:00.0000000Z", Utc(parser, "04.03.2024 10:15 +02:00"));
        Assert.Null(Utc(parser, "2024-03-04"));
    }
}
