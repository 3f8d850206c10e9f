namespace Jobs.Lake;

/// <summary>What one write committed: the new table version and how many files and rows it changed.</summary>
public sealed record CommitResult(long Version, int FilesAdded, int FilesRemoved, long RowsWritten, int Attempts);
