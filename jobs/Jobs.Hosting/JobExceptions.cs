namespace Jobs.Hosting;

/// <summary>Invalid arguments or configuration detected before any work started (exit code 2).</summary>
public sealed class JobConfigurationException(string message) : Exception(message);

/// <summary>The input cannot be processed as given (exit code 3), e.g. a missing source file.</summary>
public sealed class InputRefusedException(string message) : Exception(message);

/// <summary>One or more hard data-quality checks failed (exit code 4); the message lists them.</summary>
public sealed class QualityGateException(string message) : Exception(message);
