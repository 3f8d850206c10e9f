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
/// created for another dimension is refused.
/// </summary>
public sealed partial class PgSchema(NpgsqlDataSource dataSource, EmbeddingModel model, StoreOptions options, ILogger<PgSchema> log)
{
    private const long SchemaLockKey = 0x4A6F6273_00000001; // "Jobs" + 1

    public PgSchema(NpgsqlDataSource dataSource, EmbeddingModel model) : this(dataSource, model, new StoreOptions(), NullLogger<PgSchema>.Instance) { }

    public IReadOnlyList<Migration> Migrations { get; init; } = SchemaMigrations.All;

    /// <summary>Applies the pending migrations; returns the versions this call applied (none when another pod did).</summary>
    public async Task<IReadOnlyList<int>> EnsureAsync(CancellationToken cancellationToken = default)
    {
        var settings = new SchemaSettings(model.Dimensions, options.HnswM, options.HnswEfConstruction);
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
            await CheckDimensionAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            await CheckHnswAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        // The vector type was possibly just created, by this pod or a neighbour after this data source first looked:
        // make the data source's connections see it.
        await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    private async Task CheckDimensionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        // For a vector column, atttypmod is its dimension.
        await using var dims = new NpgsqlCommand("SELECT atttypmod FROM pg_attribute WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'", connection, tx);
        var existing = Convert.ToInt32(await dims.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (existing != model.Dimensions)
            throw new StoreSchemaException(
                $"the serving table chunks stores vector({existing}), but model {model.Id} has {model.Dimensions} dimensions: load into another database or schema");
    }

    /// <summary>The index keeps the parameters it was built with; a change of settings is reported, not rebuilt behind a load's back.</summary>
    private async Task CheckHnswAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'chunks_embedding_hnsw'", connection, tx);
        var built = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string ?? "";
        var wanted = $"m={options.HnswM},ef_construction={options.HnswEfConstruction}";
        if (built != wanted) HnswDiffers(built, wanted);
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
        Message = "The HNSW index was built with {Built}, settings ask for {Wanted}: REINDEX INDEX chunks_embedding_hnsw to apply them")]
    private partial void HnswDiffers(string built, string wanted);
}
