using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Jobs.Contracts;
using Serilog.Extensions.Logging;

namespace Jobs.Hosting;

/// <summary>
/// Runs one stage as a process would: parse the shared contract, configure logging, run, map the outcome to an exit
/// code. This is the only place that catches every exception (house style: one catch-all, in the runner).
/// </summary>
public static class JobRunner
{
    public static Task<int> RunAsync(Stage stage, string[] args) => RunAsync(stage, args, new JobRunnerSettings());

    public static async Task<int> RunAsync(Stage stage, string[] args, JobRunnerSettings settings, CancellationToken cancellationToken = default)
    {
        var common = new CommonOptions();
        var root = new RootCommand($"{stage.Name}: {stage.Description}");
        foreach (var option in common.All.Concat(stage.Options)) root.Options.Add(option);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
            return Usage(settings, stage, string.Join("; ", parse.Errors.Select(e => e.Message)));
        if (parse.Action is not null)
            return await parse.InvokeAsync(new InvocationConfiguration { Output = settings.Output }, cancellationToken).ConfigureAwait(false);

        JobContext context;
        Serilog.Core.Logger logger;
        try
        {
            var chunk = ParseChunk(parse, common, stage.RequiresDateChunk);
            var lake = parse.GetValue(common.Lake) ?? settings.Environment(CommonOptions.LakeEnv);
            if (string.IsNullOrWhiteSpace(lake)) throw new JobConfigurationException($"missing lake folder: pass --lake or set {CommonOptions.LakeEnv}");
            var pg = parse.GetValue(common.Postgres) ?? settings.Environment(CommonOptions.PostgresEnv);
            if (stage.RequiresPostgres && string.IsNullOrWhiteSpace(pg))
                throw new JobConfigurationException($"missing connection string: pass --pg or set {CommonOptions.PostgresEnv}");
            pg = string.IsNullOrWhiteSpace(pg) ? null : PostgresConnectionString.Normalize(pg);
            var runId = parse.GetValue(common.RunId) ?? $"{stage.Name}-{Guid.NewGuid():N}"[..Math.Min(40, stage.Name.Length + 33)];
            var json = ParseLogFormat(parse.GetValue(common.LogFormat)) ?? settings.JsonLogs ?? Console.IsErrorRedirected;
            logger = JobLogging.Create(settings, json, stage.Name, runId, DayPartition.Format(chunk?.Start), DayPartition.Format(chunk?.End));
            context = new JobContext(stage.Name, chunk, Path.GetFullPath(lake), pg, runId, new SerilogLoggerFactory(logger, dispose: false), parse, settings.Output);
            stage.Validate(context);
        }
        catch (Exception e) when (e is JobConfigurationException or FormatException or ArgumentException)
        {
            return Usage(settings, stage, e.Message);
        }
        if (parse.GetValue(common.ValidateArgs))
        {
            await logger.DisposeAsync().ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await using (logger.ConfigureAwait(false))
            return await ExecuteAsync(stage, context, logger, settings, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(Stage stage, JobContext context, Serilog.ILogger log, JobRunnerSettings settings, CancellationToken outer)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        using var sigterm = settings.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop) : null;
        using var sigint = settings.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop) : null;
        var clock = Stopwatch.StartNew();
        log.Information("Starting {Stage:l} for {Chunk:l} with lake {Lake:l} and database {Database:l}",
            stage.Name, context.ChunkOrNull?.ToString() ?? "(no chunk)", context.Lake, JobLogging.DescribeConnection(context.PostgresOrNull));
        try
        {
            var result = await stage.RunAsync(context, cts.Token).ConfigureAwait(false);
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
            log.Information("Finished {Stage:l} in {ElapsedMs} ms: {Rows} rows, {RowsPerSecond} rows/s, counts {@Counts}",
                stage.Name, clock.ElapsedMilliseconds, result.Rows, Math.Round(result.Rows / seconds, 1), result.Counts);
            return ExitCodes.Success;
        }
        catch (Exception e)
        {
            var code = ExitCodeOf(e, cts.IsCancellationRequested);
            log.Fatal(e, "{Stage:l} failed with exit code {ExitCode}: {Reason:l}", stage.Name, code, e.Message);
            WriteTerminationLog(settings.TerminationLogPath, $"{stage.Name} exit {code}: {e.Message}");
            return code;
        }

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // let the job stop at its next batch boundary instead of being killed mid-write
            cts.Cancel();
        }
    }

    internal static int ExitCodeOf(Exception e, bool cancelled) => e switch
    {
        OperationCanceledException when cancelled => ExitCodes.Cancelled,
        JobConfigurationException => ExitCodes.Usage,
        InputRefusedException or Lake.DeltaUnsupportedException or Lake.DeltaProtocolException => ExitCodes.InputRefused,
        QualityGateException => ExitCodes.QualityGate,
        _ => ExitCodes.Failed,
    };

    private static DateChunk? ParseChunk(ParseResult parse, CommonOptions common, bool required)
    {
        var start = parse.GetValue(common.Start);
        var end = parse.GetValue(common.End);
        if (start is null && end is null && !required) return null;
        if (start is null) throw new JobConfigurationException("missing --start (yyyy-MM-dd)");
        if (end is null) throw new JobConfigurationException("missing --end (yyyy-MM-dd)");
        var s = DateChunk.ParseDay(start);
        var e = DateChunk.ParseDay(end);
        if (e <= s) throw new JobConfigurationException($"--end {end} must be after --start {start} (the chunk is half-open)");
        return new DateChunk(s, e);
    }

    private static bool? ParseLogFormat(string? text) => text switch
    {
        null => null,
        "json" => true,
        "text" => false,
        _ => throw new JobConfigurationException($"--log-format must be json or text, not '{text}'"),
    };

    private static int Usage(JobRunnerSettings settings, Stage stage, string message)
    {
        // One line, before logging exists: the Airflow task log and the termination message show exactly this.
        settings.LogOutput.WriteLine($"{stage.Name}: error: {message} (see --help)");
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
