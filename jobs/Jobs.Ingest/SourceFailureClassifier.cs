using Jobs.Contracts;
using Npgsql;

namespace Jobs.Ingest;

/// <summary>
/// A PostgreSQL source's errors by cause, at the boundary: a lost connection or a server restart is worth a retry;
/// authentication, a missing database or privilege, and a query the server rejects (syntax, an unknown table or
/// column: class 42) are configuration; other server errors (a division by zero, an invalid cast in the data) refuse
/// the input.
/// </summary>
internal sealed class SourceFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        PostgresException p when p.IsTransient || p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal) => FailureKind.Transient,
        PostgresException p when p.SqlState.StartsWith("28", StringComparison.Ordinal) || p.SqlState.StartsWith("42", StringComparison.Ordinal)
                                 || p.SqlState == PostgresErrorCodes.InvalidCatalogName => FailureKind.Configuration,
        PostgresException => FailureKind.InputRefused,
        NpgsqlException n when n.IsTransient => FailureKind.Transient,
        NpgsqlException => FailureKind.Configuration,
        _ => null,
    };
}
