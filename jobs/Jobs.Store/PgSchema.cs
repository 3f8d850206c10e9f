using Jobs.Contracts;
using Npgsql;

namespace Jobs.Store;

/// <summary>
/// Creates the serving schema if absent. Many load pods start at once, so the DDL runs under a transaction-scoped
/// advisory lock: concurrent CREATE ... IF NOT EXISTS can otherwise fail on the catalog's unique indexes. The vector
/// column takes its dimension from the model descriptor; a store created for another dimension is refused.
/// </summary>
public sealed class PgSchema(NpgsqlDataSource dataSource, EmbeddingModel model)
{
    private const long SchemaLockKey = 0x4A6F6273_00000001; // "Jobs" + 1

    private string Ddl => $"""
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE IF NOT EXISTS documents (
            doc_id   text        NOT NULL,
            day      date        NOT NULL,
            ts       timestamptz NOT NULL,
            title    text,
            category text,
            source   text        NOT NULL,
            text     text        NOT NULL,
            PRIMARY KEY (day, doc_id)
        );
        CREATE TABLE IF NOT EXISTS chunks (
            chunk_id    text        PRIMARY KEY,
            doc_id      text        NOT NULL,
            day         date        NOT NULL,
            ordinal     integer     NOT NULL,
            text        text        NOT NULL,
            token_count integer     NOT NULL,
            model       text        NOT NULL,
            category    text,
            embedding   vector({model.Dimensions}) NOT NULL,
            tsv         tsvector    GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
            FOREIGN KEY (day, doc_id) REFERENCES documents (day, doc_id) ON DELETE CASCADE
        );
        -- Stores created before the category filter existed get the column (a copy of the document's, for filters).
        ALTER TABLE chunks ADD COLUMN IF NOT EXISTS category text;
        -- The theme of the chunk in its latest themed window (jobs-theme --pg), for search by theme.
        ALTER TABLE chunks ADD COLUMN IF NOT EXISTS theme_id text;
        CREATE TABLE IF NOT EXISTS themes (
            theme_id     text        NOT NULL,
            window_start date        NOT NULL,
            window_end   date        NOT NULL,
            label        text        NOT NULL,
            keywords     text        NOT NULL,
            size         bigint      NOT NULL,
            share        float8      NOT NULL,
            PRIMARY KEY (window_start, theme_id)
        );
        CREATE INDEX IF NOT EXISTS chunks_theme_idx ON chunks (theme_id);
        CREATE INDEX IF NOT EXISTS chunks_day_idx ON chunks (day);
        CREATE INDEX IF NOT EXISTS chunks_category_idx ON chunks (category, day);
        CREATE INDEX IF NOT EXISTS chunks_doc_idx ON chunks (day, doc_id);
        CREATE INDEX IF NOT EXISTS chunks_tsv_idx ON chunks USING gin (tsv);
        CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
        """;

    public async Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, tx))
        {
            lockCmd.Parameters.AddWithValue("key", SchemaLockKey);
            await lockCmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var ddl = new NpgsqlCommand(Ddl, connection, tx))
            await ddl.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        // For a vector column, atttypmod is its dimension.
        await using (var dims = new NpgsqlCommand(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'", connection, tx))
        {
            var existing = Convert.ToInt32(await dims.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (existing != model.Dimensions)
                throw new StoreSchemaException(
                    $"the serving table chunks stores vector({existing}), but model {model.Id} has {model.Dimensions} dimensions: load into another database or schema");
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // The vector type was possibly just created: make this data source's connections see it.
        await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
    }
}
