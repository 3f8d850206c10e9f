namespace Jobs.Ingest.Duplicates;

/// <summary>What applying the duplicate rule across days changed, and how many of the chunk's candidates keep their id.</summary>
public sealed record DuplicateCounts
{
    /// <summary>Documents (of any day) moved to quarantine because another day's record keeps their id.</summary>
    public long Demoted { get; init; }
    /// <summary>Records that keep their id now (the former winner is gone or lost) and went back to documents.</summary>
    public long Promoted { get; init; }
    /// <summary>Records that keep their id now but whose quarantined copy is truncated: their day must be re-ingested.</summary>
    public long RestorePending { get; init; }
    /// <summary>Days outside the chunk whose documents this run changed: their chunk, embed and load must run again.</summary>
    public IReadOnlyList<DateOnly> OtherDays { get; init; } = [];
    public long OwnCandidates { get; init; }
    public long OwnWinners { get; init; }
}
