namespace Jobs.Quality;

/// <summary>What a failed check does: an error fails the task (exit code 4), a warning is reported and recorded.</summary>
public enum Severity
{
    Error,
    Warning,
}
