namespace Jobs.Contracts;

/// <summary>Why a run failed, as far as a retry is concerned; the runner turns it into the exit code.</summary>
public enum FailureKind
{
    /// <summary>A dependency was unavailable or timed out: a retry may succeed (exit 1).</summary>
    Transient,
    /// <summary>Arguments, configuration, credentials or deployment are wrong: a retry will not help (exit 2).</summary>
    Configuration,
    /// <summary>The input or the target cannot be processed as it is (schema mismatch, unsupported table): exit 3.</summary>
    InputRefused,
}

/// <summary>
/// Translates one library's exceptions into a <see cref="FailureKind"/> at the boundary (Npgsql, Azure, the model
/// loader...); registered in the services by the library's Add* method. Null: not mine, ask the next one.
/// </summary>
public interface IFailureClassifier
{
    FailureKind? Classify(Exception exception);
}
