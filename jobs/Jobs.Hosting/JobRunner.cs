using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Jobs.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Extensions.Logging;

namespace Jobs.Hosting;

/// <summary>
/// Runs one stage as a process would: bind and check the configuration, configure logging, build the services, run,
/// map the outcome to an exit code. This is the only place that catches every exception (house style: one
/// catch-all, in the runner).
/// </summary>
public static class JobRunner
{
    public static Task<int> RunAsync(Stage stage, string[] args) => RunAsync(stage, args, new JobRunnerSettings());

    public static async Task<int> RunAsync(Stage stage, string[] args, JobRunnerSettings settings, CancellationToken cancellationToken = default)
    {
        var configuration = new JobConfiguration(stage);
        var parse = configuration.Command.Parse(args);
        if (parse.Errors.Count > 0)
            return Usage(settings, stage, parse.Errors.Select(e => e.Message.TrimEnd('.')).ToList());
        if (parse.Action is not null)
            return await parse.InvokeAsync(new InvocationConfiguration { Output = settings.Output }, cancellationToken).ConfigureAwait(false);

        var problems = new List<string>();
        IConfiguration merged;
        try
        {
            merged = configuration.Build(parse, settings.Environment);
        }
        catch (JobConfigurationException e)
        {
            return Usage(settings, stage, [e.Message]);
        }
        var options = configuration.Bind(merged, parse, problems);
        var job = (JobOptions)options[typeof(JobOptions)];
        var context = Contract(stage, job, settings, problems, out var json);
        if (parse.GetValue(configuration.PrintConfig))
        {
            settings.Output.WriteLine(configuration.Print(options));
            return problems.Count == 0 ? ExitCodes.Success : Usage(settings, stage, problems);
        }

        var logger = JobLogging.Create(settings, json, stage.Name, context.RunId, DayPartition(context.ChunkOrNull?.Start), DayPartition(context.ChunkOrNull?.End));
        await using (logger.ConfigureAwait(false))
        {
            var services = new ServiceCollection();
            services.AddSingleton(context);
            services.AddSingleton(merged);
            services.AddSingleton(settings);
            services.AddSingleton<ILoggerFactory>(new SerilogLoggerFactory(logger, dispose: false));
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            services.TryAddSingleton(TimeProvider.System);
            foreach (var (type, instance) in options)
            {
                services.AddSingleton(type, instance);
                services.AddSingleton(typeof(IOptions<>).MakeGenericType(type), Activator.CreateInstance(typeof(OptionsWrapper<>).MakeGenericType(type), instance)!);
            }
            stage.ConfigureServices(services);
            settings.ConfigureServices?.Invoke(services);
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
            await using (provider.ConfigureAwait(false))
            {
                foreach (var (type, instance) in options) problems.AddRange(Validate(provider, type, instance));
                if (problems.Count > 0) return Usage(settings, stage, problems);
                if (parse.GetValue(configuration.ValidateArgs))
                {
                    problems.AddRange(Preflight(stage, provider));
                    return problems.Count > 0 ? Usage(settings, stage, problems) : ExitCodes.Success;
                }
                return await ExecuteAsync(stage, provider, context, logger, settings, job.ResultFile, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The shared contract (chunk, lake, database, run id, log format), every problem collected.</summary>
    private static JobContext Contract(Stage stage, JobOptions job, JobRunnerSettings settings, List<string> problems, out bool json)
    {
        var chunk = ParseChunk(job, stage.RequiresDateChunk, problems);
        string? lake = null;
        if (!string.IsNullOrWhiteSpace(job.Lake))
            lake = job.Lake.Contains("://", StringComparison.Ordinal) ? job.Lake : Path.GetFullPath(job.Lake); // a folder, or az://...
        else if (stage.RequiresLake) problems.Add("missing lake: pass --lake or set JOBS_LAKE");
        string? pg = null;
        if (!string.IsNullOrWhiteSpace(job.Pg))
        {
            try { pg = PostgresConnectionString.Normalize(job.Pg); }
            catch (JobConfigurationException e) { problems.Add(e.Message); }
        }
        else if (stage.RequiresPostgres) problems.Add("missing connection string: pass --pg or set JOBS_PG");
        json = settings.JsonLogs ?? !(settings.LogOutput is null && !Console.IsErrorRedirected);
        switch (job.LogFormat)
        {
            case null: break;
            case "json": json = true; break;
            case "text": json = false; break;
            default: problems.Add($"--log-format must be json or text, not '{job.LogFormat}'"); break;
        }
        var runId = job.RunId ?? $"{stage.Name}-{Guid.NewGuid():N}"[..Math.Min(40, stage.Name.Length + 33)];
        return new JobContext(stage.Name, chunk, lake, pg, runId, settings.Output);
    }

    private static DateChunk? ParseChunk(JobOptions job, bool required, List<string> problems)
    {
        if (job.Start is null && job.End is null && !required) return null;
        DateOnly? start = null, end = null;
        if (job.Start is null) problems.Add("missing --start (yyyy-MM-dd)");
        else if (TryDay(job.Start, "--start", problems) is { } s) start = s;
        if (job.End is null) problems.Add("missing --end (yyyy-MM-dd)");
        else if (TryDay(job.End, "--end", problems) is { } e) end = e;
        if (start is null || end is null) return null;
        if (end <= start)
        {
            problems.Add($"--end {job.End} must be after --start {job.Start} (the chunk is half-open)");
            return null;
        }
        return new DateChunk(start.Value, end.Value);
    }

    private static DateOnly? TryDay(string text, string flag, List<string> problems)
    {
        try { return DateChunk.ParseDay(text); }
        catch (FormatException) { problems.Add($"{flag} '{text}' is not a date in yyyy-MM-dd form"); return null; }
    }

    private static IEnumerable<string> Validate(IServiceProvider provider, Type type, object instance)
    {
        var validatorType = typeof(IValidateOptions<>).MakeGenericType(type);
        var validate = validatorType.GetMethod(nameof(IValidateOptions<object>.Validate))!;
        IEnumerable<object?> validators;
        try
        {
            validators = provider.GetServices(validatorType).ToList();
        }
        catch (JobConfigurationException)
        {
            // A validator needs a service that the settings cannot make (an unknown model): that setting's own
            // validator reports it.
            return [];
        }
        var failures = new List<string>();
        foreach (var validator in validators)
            if (validate.Invoke(validator, [Options.DefaultName, instance]) is ValidateOptionsResult { Failed: true } result)
                failures.AddRange(result.Failures ?? [result.FailureMessage]);
        return failures;
    }

    private static List<string> Preflight(Stage stage, IServiceProvider provider)
    {
        var problems = new List<string>();
        try
        {
            problems.AddRange(stage.Preflight(provider));
        }
        catch (Exception e)
        {
            // --validate-args reports, it does not fail: whatever stops the check (a model that does not load, a
            // source that cannot be listed) is one more problem to name.
            problems.Add(e.Message);
        }
        return problems;
    }

    private static async Task<int> ExecuteAsync(Stage stage, IServiceProvider services, JobContext context, Serilog.ILogger log,
        JobRunnerSettings settings, string? resultFile, CancellationToken outer)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        using var sigterm = settings.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop) : null;
        using var sigint = settings.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop) : null;
        var clock = Stopwatch.StartNew();
        log.Information("Starting {Stage:l} for {Chunk:l} with lake {Lake:l} and database {Database:l}",
            stage.Name, context.ChunkOrNull?.ToString() ?? "(no chunk)", context.LakeOrNull ?? "(none)", JobLogging.DescribeConnection(context.PostgresOrNull));
        try
        {
            if (resultFile is not null) StageResultFile.EnsureWritable(resultFile);
            var result = await stage.RunAsync(services, cts.Token).ConfigureAwait(false);
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
            log.Information("Finished {Stage:l} in {ElapsedMs} ms: {Rows} rows, {RowsPerSecond} rows/s, counts {@Counts}",
                stage.Name, clock.ElapsedMilliseconds, result.Rows, Math.Round(result.Rows / seconds, 1), result.Counts);
            if (result.ChangedDays.Count > 0)
                log.Warning("{Stage:l} changed the data of {Count} days outside its chunk; run the later stages for them: {Days:l}",
                    stage.Name, result.ChangedDays.Count, string.Join(", ", result.ChangedDays.Select(DateChunk.FormatDay)));
            if (resultFile is not null) await StageResultFile.WriteAsync(resultFile, stage.Name, context, result).ConfigureAwait(false);
            // The counts reach the orchestrator too (Airflow reads the pod's termination message: e.g. the dead-letter share).
            WriteTerminationLog(settings.TerminationLogPath, $"{stage.Name} ok: {System.Text.Json.JsonSerializer.Serialize(result.Counts)}");
            return ExitCodes.Success;
        }
        catch (Exception e)
        {
            var code = FailureClassification.ExitCodeOf(e, cts.IsCancellationRequested, services.GetServices<IFailureClassifier>());
            var reason = code == ExitCodes.Cancelled ? "stopped by a signal before committing" : Reason(e);
            // The one-line reason is what the operator sees (task log, termination message); the stack trace only at Debug.
            log.Fatal("{Stage:l} failed with exit code {ExitCode}: {Reason:l}", stage.Name, code, reason);
            log.Debug(e, "{Stage:l} failure detail", stage.Name);
            WriteTerminationLog(settings.TerminationLogPath, $"{stage.Name} exit {code}: {reason}");
            return code;
        }

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // let the job stop at its next batch boundary instead of being killed mid-write
            cts.Cancel();
        }
    }

    private static string Reason(Exception e)
    {
        var inner = e.InnerException is { } i && i.Message != e.Message ? $" ({i.Message})" : "";
        return e is JobConfigurationException or InputRefusedException or QualityGateException ? e.Message : $"{e.Message}{inner} [{e.GetType().Name}]";
    }

    internal static int ExitCodeOf(Exception e, bool cancelled, params IFailureClassifier[] classifiers) =>
        FailureClassification.ExitCodeOf(e, cancelled, classifiers);

    private static string? DayPartition(DateOnly? day) => day is { } d ? DateChunk.FormatDay(d) : null;

    private static int Usage(JobRunnerSettings settings, Stage stage, IReadOnlyList<string> problems)
    {
        // One line, before logging exists: the Airflow task log and the termination message show exactly this.
        var message = problems.Count == 1 ? problems[0] : $"{problems.Count} problems: {string.Join("; ", problems)}";
        (settings.LogOutput ?? Console.Error).WriteLine($"{stage.Name}: error: {message} (see --help)");
        WriteTerminationLog(settings.TerminationLogPath, $"{stage.Name}: {message}");
        return ExitCodes.Usage;
    }

    private static void WriteTerminationLog(string path, string message)
    {
        try
        {
            if (File.Exists(path)) File.WriteAllText(path, message.Length > 4000 ? message[..4000] : message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: outside Kubernetes the file is usually absent or read-only.
        }
    }
}
