namespace Jobs.Lake.Tests;

/// <summary>The system clock moved by a fixed offset, to age files and tombstones without waiting.</summary>
internal sealed class ShiftedTime(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
