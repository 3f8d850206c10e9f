using System.Data.Common;
using Serilog;
using Serilog.Core;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Jobs.Hosting;

/// <summary>Builds the one Serilog logger of a run: JSON (or text on a terminal), enriched with the job's identity.</summary>
internal static class JobLogging
{
    public static Logger Create(JobRunnerSettings settings, bool json, string stage, string runId, string? chunkStart, string? chunkEnd)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(ParseLevel(settings.Environment("JOBS_LOG_LEVEL")))
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .Enrich.WithProperty("Stage", stage)
            .Enrich.WithProperty("RunId", runId)
            .Enrich.WithProperty("ChunkStart", chunkStart)
            .Enrich.WithProperty("ChunkEnd", chunkEnd);
        config = json
            ? config.WriteTo.Sink(new TextWriterSink(new RenderedCompactJsonFormatter(), settings.LogOutput))
            : config.WriteTo.Sink(new TextWriterSink(new MessageTemplateTextFormatter(
                "[{Timestamp:HH:mm:ss} {Level:u3}] {Stage} {Message:lj}{NewLine}{Exception}", System.Globalization.CultureInfo.InvariantCulture),
                settings.LogOutput));
        return config.CreateLogger();
    }

    private static Serilog.Events.LogEventLevel ParseLevel(string? text) =>
        Enum.TryParse<Serilog.Events.LogEventLevel>(text, ignoreCase: true, out var level) ? level : Serilog.Events.LogEventLevel.Information;

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
