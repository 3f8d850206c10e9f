using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Jobs.Hosting;

/// <summary>
/// Formats events onto a given TextWriter: the in-process seam (tests capture a run's log). Processes log through
/// Serilog.Sinks.Console; Serilog 4 no longer ships a TextWriter sink of its own.
/// </summary>
internal sealed class TextWriterSink(ITextFormatter formatter, TextWriter output) : ILogEventSink
{
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, output);
            output.Flush();
        }
    }
}
