using Jobs.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Jobs.Store;

public static class StoreServices
{
    /// <summary>
    /// The serving store: one <see cref="NpgsqlDataSource"/> (pgvector mapped) for the run, the schema (migrations), the
    /// loader, the retry pipeline, vector search, and the translation of Npgsql's errors into exit codes. Needs the
    /// <see cref="EmbeddingModel"/>; <see cref="StoreOptions"/> take their defaults unless the stage binds the section.
    /// </summary>
    public static IServiceCollection AddStore(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        services.TryAddSingleton(sp => PgDataSource.Create(connectionString(sp)));
        services.TryAddSingleton(new StoreOptions());
        services.TryAddSingleton<PgSchema>();
        services.TryAddSingleton<PgRetry>();
        services.TryAddSingleton<DateRangeLoader>();
        services.TryAddSingleton<StoreAudit>();
        services.TryAddSingleton<VectorSearch>();
        services.TryAddSingleton<HybridSearch>();
        services.TryAddSingleton<ThemeLoader>();
        services.TryAddSingleton<ModelSwitch>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, PgFailureClassifier>());
        return services;
    }
}

/// <summary>The serving table was made for another model or shape; loading into it would fail or mix vectors.</summary>
public sealed class StoreSchemaException(string message) : Exception(message);

/// <summary>
/// Npgsql's errors by cause (at the boundary, so no other project sees Npgsql's types): what <see cref="PgTransience"/>
/// calls transient (connection loss, serialization failure, deadlock, restart) is worth a retry; authentication, a
/// missing database or missing privileges are configuration; other SQL errors (a missing extension, a table of another
/// shape, duplicate ids) are refused.
/// </summary>
internal sealed class PgFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        StoreSchemaException => FailureKind.InputRefused,
        NpgsqlException when PgTransience.IsTransient(exception) => FailureKind.Transient,
        PostgresException p when p.SqlState.StartsWith("28", StringComparison.Ordinal) => FailureKind.Configuration, // invalid authorization
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.InsufficientPrivilege } => FailureKind.Configuration,
        PostgresException => FailureKind.InputRefused,
        // Not transient and not from the server: TLS or connection-string settings the client refuses.
        NpgsqlException => FailureKind.Configuration,
        _ => null,
    };
}
