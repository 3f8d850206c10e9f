using System.Net.Sockets;
using Npgsql;

namespace Jobs.Store;

/// <summary>
/// Which PostgreSQL failures a retry can cure: Npgsql's own <see cref="NpgsqlException.IsTransient"/>, a lost
/// connection, and the server's serialization failure (40001), deadlock (40P01) and shutdown or restart (57P0x,
/// 08xxx). Everything else (a constraint, a missing privilege, a bad statement) fails at once. Cancellation never counts.
/// </summary>
public static class PgTransience
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        OperationCanceledException => false,
        PostgresException p => p.IsTransient || IsTransientState(p.SqlState),
        NpgsqlException n => n.IsTransient || n.InnerException is IOException or SocketException or TimeoutException,
        _ => false,
    };

    public static bool IsTransientState(string sqlState) =>
        sqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
        || sqlState.StartsWith("08", StringComparison.Ordinal); // connection exception class
}
