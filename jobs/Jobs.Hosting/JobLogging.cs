using System.Data.Common;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Jobs.Hosting;

/// <summary>Builds the one Serilog logger of a run: JSON (or text on a terminal), enriched with the job's identity.</summary>
internal static class JobLogging
{
    public static Logger Create(JobRunnerSettings settings, bool json, string stage, string runId, string? chunkStart, string? chunkEnd)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(Level(settings))
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .Enrich.WithProperty("Stage", stage)
            .Enrich.WithProperty("RunId", runId)
            .Enrich.WithProperty("ChunkStart", chunkStart)
            .Enrich.WithProperty("ChunkEnd", chunkEnd);
        ITextFormatter formatter = json
            ? new RenderedCompactJsonFormatter()
            : new MessageTemplateTextFormatter("[{Timestamp:HH:mm:ss} {Level:u3}] {Stage} {Message:lj}{NewLine}{Exception}", System.Globalization.CultureInfo.InvariantCulture);
        // Every event goes to stderr: stdout belongs to the command's result (search hits, --print-config).
        config = settings.LogOutput is { } writer
            ? config.WriteTo.Sink(new TextWriterSink(formatter, writer))
            : config.WriteTo.Console(formatter, standardErrorFromLevel: LogEventLevel.Verbose);
        return config.CreateLogger();
    }

    public static LogEventLevel Level(JobRunnerSettings settings) =>
        Enum.TryParse<LogEventLevel>(settings.Variable("JOBS_LOG_LEVEL"), ignoreCase: true, out var level) ? level : LogEventLevel.Information;

    /// <summary>Host and database of a connection string, for logs: never the password or the whole string.</summary>
    public static string DescribeConnection(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString)) return "(none)";
        try
        {
            var b = new DbConnectionStringBuilder { ConnectionString = connectionString };
            string Get(params string[] keys) => keys.Select(k => b.TryGetValue(k, out var v) ? v?.ToString() : null).FirstOrDefault(v => v is not null) ?? "?";
            return $"{Get("Host", "Server")}:{Get("Port")}/{Get("Database")}";
        }
        catch (ArgumentException)
        {
            return "(unparseable)";
        }
    }
}
