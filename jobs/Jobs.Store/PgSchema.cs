using Jobs.Contracts;
using Jobs.Store.Migrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Jobs.Store;

/// <summary>
/// Brings the serving schema to the latest migration. Many pods start at once, so the migrations run in one transaction
/// under an advisory lock: the first pod applies what is missing and records it in <c>schema_migrations</c>, the others
/// wait, then find nothing left to do. The vector column takes its dimension from the model descriptor; a store
/// created for another dimension is refused. The first model to load becomes the served model (<see cref="ServedModel"/>);
/// a load configured for another model gets the side-by-side table <c>chunks_next</c> of that model instead.
/// </summary>
public sealed partial class PgSchema(NpgsqlDataSource dataSource, EmbeddingModel model, StoreOptions options, ILogger<PgSchema> log)
{
    private const long SchemaLockKey = 0x4A6F6273_00000001; // "Jobs" + 1

    public PgSchema(NpgsqlDataSource dataSource, EmbeddingModel model) : this(dataSource, model, new StoreOptions(), NullLogger<PgSchema>.Instance) { }

    public IReadOnlyList<Migration> Migrations { get; init; } = SchemaMigrations.All;

    /// <summary>Applies the pending migrations; returns the versions this call applied (none when another pod did).</summary>
    public async Task<IReadOnlyList<int>> EnsureAsync(CancellationToken cancellationToken = default)
    {
        var settings = new SchemaSettings(model.Dimensions, options.HnswM, options.HnswEfConstruction)
        {
            VectorType = options.VectorType,
            MaintenanceWorkMem = options.MaintenanceWorkMem,
            MaxParallelMaintenanceWorkers = options.MaxParallelMaintenanceWorkers,
        };
        var applied = new List<int>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", SchemaLockKey));
            await ExecuteAsync(connection, tx, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);
            var done = new HashSet<int>();
            await using (var cmd = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, tx))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) done.Add(reader.GetInt32(0));
            foreach (var m in Migrations.OrderBy(m => m.Version).Where(m => !done.Contains(m.Version)))
            {
                await ExecuteAsync(connection, tx, m.Sql(settings), cancellationToken);
                await ExecuteAsync(connection, tx, "INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", cancellationToken,
                    ("version", m.Version), ("name", m.Name));
                applied.Add(m.Version);
                Applied(m.Version, m.Name);
            }
            var table = await EnsureModelTableAsync(connection, tx, settings, cancellationToken).ConfigureAwait(false);
            await CheckVectorColumnAsync(connection, tx, table, cancellationToken).ConfigureAwait(false);
            await CheckHnswAsync(connection, tx, table, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        // The vector type was possibly just created, by this pod or a neighbour after this data source first looked:
        // make the data source's connections see it.
        await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    private async Task CheckVectorColumnAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, CancellationToken cancellationToken)
    {
        // For a vector or halfvec column, atttypmod is its dimension.
        await using var cmd = new NpgsqlCommand(
            $"SELECT t.typname, a.atttypmod FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = '{table}'::regclass AND a.attname = 'embedding'",
            connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (type, dimensions) = (reader.GetString(0), reader.GetInt32(1));
        if (dimensions != model.Dimensions)
            throw new StoreSchemaException(
                $"the table {table} stores {type}({dimensions}), but model {model.Id} has {model.Dimensions} dimensions: load into another database or schema");
        if (type != options.VectorType) VectorTypeDiffers(table, type, options.VectorType);
    }

    /// <summary>The index keeps the parameters it was built with; a change of settings is reported, not rebuilt behind a load's back.</summary>
    private async Task CheckHnswAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = '{table}_embedding_hnsw'", connection, tx);
        var built = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string ?? "";
        var wanted = $"m={options.HnswM},ef_construction={options.HnswEfConstruction}";
        if (built != wanted) HnswDiffers(table, built, wanted);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Applied schema migration {Version}: {Name}")]
    private partial void Applied(int version, string name);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "The HNSW index of {Table} was built with {Built}, settings ask for {Wanted}: REINDEX each partition's index to apply them")]
    private partial void HnswDiffers(string table, string built, string wanted);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "The table {Table} stores {Stored} vectors, settings ask for {Wanted}: the type applies only when a table is created (load side by side and switch to change it)")]
    private partial void VectorTypeDiffers(string table, string stored, string wanted);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "The store serves {Served}; vectors of {Model} go to the side-by-side table {Table}")]
    private partial void SideBySide(string served, string model, string table);
}
