namespace Jobs.Hosting;

/// <summary>Process exit codes shared by every stage; the DAG decides from them whether a retry can help.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Unexpected or transient failure (a dependency, a commit race, a bug): a retry may help.</summary>
    public const int Failed = 1;
    /// <summary>Bad arguments or configuration: a retry will not help.</summary>
    public const int Usage = 2;
    /// <summary>Input refused: malformed or unsupported table, schema mismatch.</summary>
    public const int InputRefused = 3;
    /// <summary>A hard data-quality check failed.</summary>
    public const int QualityGate = 4;
    /// <summary>Stopped by SIGTERM/SIGINT before the work was made visible; re-running resumes cleanly.</summary>
    public const int Cancelled = 143;
}
