using Jobs.LocalRun;
using Testcontainers.PostgreSql;

namespace Jobs.Store.Bench;

/// <summary>
/// The bench's own PostgreSQL 17 + pgvector container (the locally built image): a /dev/shm large enough for a parallel
/// HNSW build (pgvector builds the graph in dynamic shared memory; Docker's default 64 MB cannot hold it) and for the
/// data directory (memory, not the shared build machine's disk; a size limit, not an allocation), and 1 GB of shared
/// buffers, so that the index of the search bench is served from memory. Testcontainers' defaults (fsync off) stay:
/// the same for every write path.
/// </summary>
internal static class BenchContainer
{
    public static PostgreSqlContainer Create()
    {
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED") is null) Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE") is null) Environment.SetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        return new PostgreSqlBuilder(LocalPostgres.Image).WithDatabase("jobs").WithUsername("jobs").WithPassword("jobs-local-only")
            .WithName($"jobs-store-bench-{Environment.ProcessId}")
            .WithCommand("-c", "shared_buffers=1GB")
            .WithEnvironment("PGDATA", "/dev/shm/pgdata")
            .WithCreateParameterModifier(p => (p.HostConfig ??= new()).ShmSize = 12L << 30)
            .WithLogger(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .Build();
    }
}
