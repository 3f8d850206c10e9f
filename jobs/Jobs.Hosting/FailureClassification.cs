using System.Net.Sockets;
using Jobs.Contracts;

namespace Jobs.Hosting;

/// <summary>
/// Decides the exit code of a failed run by its cause. The libraries translate their own drivers' exceptions
/// (<see cref="IFailureClassifier"/>, registered by AddStore, AddLake, AddEmbeddings...); what none of them claims
/// falls back to the BCL's types here, and anything unknown counts as worth a retry (exit 1).
/// </summary>
internal static class FailureClassification
{
    public static int ExitCodeOf(Exception e, bool cancelled, IEnumerable<IFailureClassifier> classifiers)
    {
        if (e is OperationCanceledException && cancelled) return ExitCodes.Cancelled;
        return Classify(e, classifiers.ToList(), depth: 0) switch
        {
            Outcome.Usage => ExitCodes.Usage,
            Outcome.InputRefused => ExitCodes.InputRefused,
            Outcome.QualityGate => ExitCodes.QualityGate,
            _ => ExitCodes.Failed,
        };
    }

    private enum Outcome
    {
        Retry,
        Usage,
        InputRefused,
        QualityGate,
    }

    private static Outcome Classify(Exception e, IReadOnlyList<IFailureClassifier> classifiers, int depth)
    {
        switch (e)
        {
            case JobConfigurationException: return Outcome.Usage;
            case InputRefusedException: return Outcome.InputRefused;
            case QualityGateException: return Outcome.QualityGate;
        }
        foreach (var classifier in classifiers)
            if (classifier.Classify(e) is { } kind)
                return kind switch
                {
                    FailureKind.Configuration => Outcome.Usage,
                    FailureKind.InputRefused => Outcome.InputRefused,
                    _ => Outcome.Retry,
                };
        switch (e)
        {
            case UnauthorizedAccessException: return Outcome.Usage; // permissions: a retry sees the same
            case TimeoutException or SocketException or IOException or HttpRequestException: return Outcome.Retry;
        }
        // Wrappers (a TypeInitializationException, an AggregateException of one task) are decided by their cause.
        var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e.InnerException;
        return inner is not null && depth < 8 ? Classify(inner, classifiers, depth + 1) : Outcome.Retry;
    }
}
