using Jobs.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Jobs.Store;

public static class StoreServices
{
    /// <summary>
    /// The serving store: one <see cref="NpgsqlDataSource"/> (pgvector mapped) for the run, the schema, the loader and
    /// vector search, and the translation of Npgsql's errors into exit codes. Needs the <see cref="EmbeddingModel"/>.
    /// </summary>
    public static IServiceCollection AddStore(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        services.TryAddSingleton(sp => PgDataSource.Create(connectionString(sp)));
        services.TryAddSingleton<PgSchema>();
        services.TryAddSingleton<DateRangeLoader>();
        services.TryAddSingleton<VectorSearch>();
        services.TryAddSingleton<HybridSearch>();
        services.TryAddSingleton<ThemeLoader>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, PgFailureClassifier>());
        return services;
    }
}

/// <summary>The serving table was made for another model or shape; loading into it would fail or mix vectors.</summary>
public sealed class StoreSchemaException(string message) : Exception(message);

/// <summary>
/// Npgsql's errors by cause (at the boundary, so no other project sees Npgsql's types): Npgsql's own
/// <see cref="NpgsqlException.IsTransient"/> says when a retry can help; authentication, a missing database or
/// missing privileges are configuration; other SQL errors (a missing extension, a table of another shape) are refused.
/// </summary>
internal sealed class PgFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        StoreSchemaException => FailureKind.InputRefused,
        PostgresException { IsTransient: true } => FailureKind.Transient,
        PostgresException p when p.SqlState.StartsWith("28", StringComparison.Ordinal) => FailureKind.Configuration, // invalid authorization
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.InsufficientPrivilege } => FailureKind.Configuration,
        PostgresException => FailureKind.InputRefused,
        NpgsqlException { IsTransient: true } => FailureKind.Transient,
        // Not transient and not from the server: TLS or connection-string settings the client refuses.
        NpgsqlException => FailureKind.Configuration,
        _ => null,
    };
}
