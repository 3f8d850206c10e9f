using System.Globalization;

namespace Jobs.Contracts;

/// <summary>A half-open range of days [Start, End): the unit of work every stage is given.</summary>
public readonly record struct DateChunk
{
    public const string Format = "yyyy-MM-dd";

    public DateChunk(DateOnly start, DateOnly end)
    {
        if (end <= start) throw new ArgumentException($"end {end.ToString(Format, CultureInfo.InvariantCulture)} must be after start {start.ToString(Format, CultureInfo.InvariantCulture)}");
        Start = start;
        End = end;
    }

    public DateOnly Start { get; }
    public DateOnly End { get; }
    public int Days => End.DayNumber - Start.DayNumber;

    public bool Contains(DateOnly day) => day >= Start && day < End;

    public bool Contains(DateTime utc) => Contains(DateOnly.FromDateTime(utc));

    /// <summary>A day as the job contract writes it (<see cref="Format"/>): arguments, partitions, results.</summary>
    public static string FormatDay(DateOnly day) => day.ToString(Format, CultureInfo.InvariantCulture);

    public static DateOnly ParseDay(string text) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new FormatException($"'{text}' is not a date in {Format} form");

    public override string ToString() =>
        $"[{FormatDay(Start)}, {FormatDay(End)})";
}
