using Jobs.LocalRun;
using Testcontainers.PostgreSql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// A real PostgreSQL 17 + pgvector 0.8 container (the locally built image), one per test collection. Without a
/// Docker engine the fixture fails, and so do the tests: they never skip silently.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgreSqlContainer Container { get; } = LocalPostgres.Create();

    public string ConnectionString => Container.GetConnectionString();

    public async ValueTask InitializeAsync() => await Container.StartAsync();

    public async ValueTask DisposeAsync() => await Container.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
