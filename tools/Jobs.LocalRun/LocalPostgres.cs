using Testcontainers.PostgreSql;

namespace Jobs.LocalRun;

/// <summary>
/// PostgreSQL + pgvector for local runs, started through Testcontainers from the locally built image. The container
/// is reused across runs (same name), so a second <c>make run</c> can show that nothing was duplicated.
/// </summary>
public static class LocalPostgres
{
    public const string Image = "pgvector/pgvector:pg17";

    /// <param name="hostPort">A fixed loopback port (a test that restarts the server needs it back where it was); default: any free port.</param>
    public static PostgreSqlContainer Create(string? name = null, int? hostPort = null)
    {
        // Offline machines cannot pull the reaper image, and must reach containers through loopback only.
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED") is null) Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE") is null) Environment.SetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        // Testcontainers logs to stdout by default; the report owns stdout, and the stages log on stderr.
        var builder = new PostgreSqlBuilder(Image).WithDatabase("jobs").WithUsername("jobs").WithPassword("jobs-local-only")
            .WithLogger(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        if (hostPort is { } port) builder = builder.WithPortBinding(port, 5432);
        return (name is null ? builder : builder.WithName(name).WithReuse(true)).Build();
    }

    /// <summary>
    /// A database of its own on the server of <paramref name="adminConnectionString"/> (a scratch store for a test or an
    /// evaluation), created when absent, or dropped and created again with <paramref name="fresh"/>; its connection string.
    /// </summary>
    public static async Task<string> DatabaseAsync(string adminConnectionString, string name, bool fresh, CancellationToken cancellationToken = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$"))
            throw new ArgumentException($"'{name}' is not a plain lower-case database name", nameof(name));
        await using var admin = new Npgsql.NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync(cancellationToken);
        if (fresh)
        {
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", admin);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var exists = new Npgsql.NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
        exists.Parameters.AddWithValue("name", name);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }
}
