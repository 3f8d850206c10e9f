namespace Jobs.Hosting;

/// <summary>Process-level seams of the runner, so tests run a stage in-process exactly as the CLI would.</summary>
public sealed record JobRunnerSettings
{
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
    /// <summary>Command results (search hits, --help).</summary>
    public TextWriter Output { get; init; } = Console.Out;
    /// <summary>Log events; stderr so that a command's stdout stays machine-readable.</summary>
    public TextWriter LogOutput { get; init; } = Console.Error;
    /// <summary>JSON unless the log goes to a terminal; forced by --log-format.</summary>
    public bool? JsonLogs { get; init; }
    public bool HandleSignals { get; init; } = true;
    public string TerminationLogPath { get; init; } = "/dev/termination-log";
}
