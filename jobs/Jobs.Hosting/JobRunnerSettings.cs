using Microsoft.Extensions.DependencyInjection;

namespace Jobs.Hosting;

/// <summary>Process-level seams of the runner, so tests run a stage in-process exactly as the CLI would.</summary>
public sealed record JobRunnerSettings
{
    /// <summary>The environment variables (JOBS_* configuration, AZURE_STORAGE_CONNECTION_STRING, JOBS_LOG_LEVEL).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = ProcessEnvironment();
    /// <summary>Command results (search hits, --help, --print-config).</summary>
    public TextWriter Output { get; init; } = Console.Out;
    /// <summary>Log events; null: the console sink on stderr, so that a command's stdout stays machine-readable.</summary>
    public TextWriter? LogOutput { get; init; }
    /// <summary>JSON unless the log goes to a terminal; forced by --log-format.</summary>
    public bool? JsonLogs { get; init; }
    public bool HandleSignals { get; init; } = true;
    public string TerminationLogPath { get; init; } = "/dev/termination-log";
    /// <summary>Applied after the stage's own registrations: tests swap services here.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public string? Variable(string name) => Environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            variables[(string)e.Key] = (string?)e.Value ?? "";
        return variables;
    }
}
