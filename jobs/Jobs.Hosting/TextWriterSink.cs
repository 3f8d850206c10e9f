using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Jobs.Hosting;

/// <summary>Formats events onto a TextWriter (stderr in a pod, a StringWriter in tests).</summary>
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
