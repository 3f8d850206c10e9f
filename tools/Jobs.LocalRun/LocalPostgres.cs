using Testcontainers.PostgreSql;

namespace Jobs.LocalRun;

/// <summary>
/// PostgreSQL + pgvector for local runs, started through Testcontainers from the locally built image. The container
/// is reused across runs (same name), so a second <c>make run</c> can show that nothing was duplicated.
/// </summary>
public static class LocalPostgres
{
    public const string Image = "pgvector/pgvector:pg17";

    public static PostgreSqlContainer Create(string? name = null)
    {
        // Offline machines cannot pull the reaper image, and must reach containers through loopback only.
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED") is null) Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE") is null) Environment.SetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        // Testcontainers logs to stdout by default; the report owns stdout, and the stages log on stderr.
        var builder = new PostgreSqlBuilder(Image).WithDatabase("jobs").WithUsername("jobs").WithPassword("jobs-local-only")
            .WithLogger(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return (name is null ? builder : builder.WithName(name).WithReuse(true)).Build();
    }
}
