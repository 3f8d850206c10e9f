using System.Text.Json;
using Jobs.Hosting;

namespace Jobs.Testing;

/// <summary>The outcome of running a stage in-process through the real runner: exit code, output and log events.</summary>
public sealed record StageRunResult(int ExitCode, string Output, string Log)
{
    public IReadOnlyList<JsonElement> Events => Log.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    /// <summary>The counts of the runner's summary event ("Finished ...").</summary>
    public IReadOnlyDictionary<string, long> Counts =>
        Events.Last(e => e.TryGetProperty("Counts", out _)).GetProperty("Counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
}

public static class StageRun
{
    /// <summary>Runs <paramref name="stage"/> with <paramref name="args"/> exactly as its Program.cs would, capturing JSON logs.</summary>
    public static Task<StageRunResult> RunAsync(Stage stage, IReadOnlyDictionary<string, string>? environment = null, params string[] args) =>
        RunAsync(stage, environment, null, args);

    /// <summary>Runs <paramref name="stage"/> with some of its services swapped by <paramref name="services"/>.</summary>
    public static Task<StageRunResult> RunAsync(Stage stage, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection> services, params string[] args) =>
        RunAsync(stage, null, services, args);

    private static async Task<StageRunResult> RunAsync(Stage stage, IReadOnlyDictionary<string, string>? environment,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services, string[] args)
    {
        var output = new StringWriter();
        var log = new StringWriter();
        var settings = new JobRunnerSettings
        {
            Output = output,
            LogOutput = log,
            JsonLogs = true,
            HandleSignals = false,
            Environment = environment ?? new Dictionary<string, string>(),
            ConfigureServices = services,
            TerminationLogPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-termination-log-here", "x"),
        };
        var code = await JobRunner.RunAsync(stage, args, settings);
        return new StageRunResult(code, output.ToString(), log.ToString());
    }

    public static Task<StageRunResult> RunAsync(Stage stage, params string[] args) => RunAsync(stage, (IReadOnlyDictionary<string, string>?)null, args);
}
