namespace Jobs.Lake;

/// <summary>What one write committed: the new table version and how many files and rows it changed.</summary>
/// <param name="AlreadyCommitted">The batch's txn (appId, version) was already in the table: nothing was committed again.</param>
public sealed record CommitResult(long Version, int FilesAdded, int FilesRemoved, long RowsWritten, int Attempts, bool AlreadyCommitted = false);
