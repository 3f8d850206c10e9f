using Microsoft.Extensions.Logging;

namespace Jobs.Lake;

/// <summary>
/// What Jobs.Lake logs. Commits are Debug: the stage logs its one commit at Information. Event ids 1000-1099.
/// </summary>
internal static partial class LakeLog
{
    [LoggerMessage(1001, LogLevel.Debug, "Committed version {Version} of {Table}: {Adds} files added, {Removes} removed, {Rows} rows, attempt {Attempt}")]
    public static partial void Committed(this ILogger logger, string table, long version, int adds, int removes, long rows, int attempt);

    [LoggerMessage(1002, LogLevel.Debug, "Lost the race for version {Version} of {Table} on attempt {Attempt}; re-reading the winning commits")]
    public static partial void CommitLost(this ILogger logger, string table, long version, int attempt);

    [LoggerMessage(1003, LogLevel.Warning, "Commit to {Table} conflicts with version {Version}: {Reason}")]
    public static partial void CommitConflict(this ILogger logger, string table, long version, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Gave up committing to {Table} after losing the race {Attempts} times")]
    public static partial void CommitGaveUp(this ILogger logger, string table, int attempts);

    [LoggerMessage(1005, LogLevel.Debug, "Batch {Version} of application {AppId} is already committed to {Table} (at table version {TableVersion}); nothing written")]
    public static partial void AlreadyCommitted(this ILogger logger, string table, string appId, long version, long tableVersion);

    [LoggerMessage(1006, LogLevel.Information, "Wrote the checkpoint of version {Version} of {Table}: {Rows} actions, {Bytes} bytes")]
    public static partial void CheckpointWritten(this ILogger logger, string table, long version, int rows, long bytes);

    [LoggerMessage(1007, LogLevel.Debug, "VACUUM {Table}: deleted {Path}")]
    public static partial void VacuumDeleted(this ILogger logger, string table, string path);

    [LoggerMessage(1008, LogLevel.Information, "VACUUM {Table}: {Count} unreferenced files older than {Retention} {Outcome}")]
    public static partial void VacuumDone(this ILogger logger, string table, int count, TimeSpan retention, string outcome);
}
