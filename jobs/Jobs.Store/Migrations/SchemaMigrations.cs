namespace Jobs.Store.Migrations;

/// <summary>
/// The serving schema, as the ordered list of its migrations. Never edit an applied one: append a new version.
/// Version 1 is written with IF NOT EXISTS so that a store created before migrations existed adopts it unchanged.
/// </summary>
public static class SchemaMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "serving tables, full-text and HNSW indexes", s => $"""
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
                embedding   vector({s.Dimensions}) NOT NULL,
                tsv         tsvector    GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
                FOREIGN KEY (day, doc_id) REFERENCES documents (day, doc_id) ON DELETE CASCADE
            );
            ALTER TABLE chunks ADD COLUMN IF NOT EXISTS category text;
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
            CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops)
                WITH (m = {s.HnswM}, ef_construction = {s.HnswEfConstruction});
            """),
        // The lake's content hashes, so that a reload rewrites only rows that changed and validate can reconcile the
        // store with the lake by checksum. Rows loaded before this migration have none: the next load fills them.
        new(2, "content hashes of documents and chunks", _ => """
            ALTER TABLE documents ADD COLUMN IF NOT EXISTS content_hash text;
            ALTER TABLE chunks ADD COLUMN IF NOT EXISTS content_hash text;
            """),
        // Monthly declarative partitions (see ChunkTable): a date chunk's reload touches only its months, and an old
        // month is detached in one statement. An existing store's rows move into the partitions in this transaction;
        // its indexes are rebuilt once, after the copy, with the configured memory and workers.
        new(3, "chunks partitioned by month", s => $$"""
            SET LOCAL maintenance_work_mem = '{{s.MaintenanceWorkMem}}';
            SET LOCAL max_parallel_maintenance_workers = {{s.MaxParallelMaintenanceWorkers}};
            ALTER TABLE chunks RENAME TO chunks_unpartitioned;
            ALTER TABLE chunks_unpartitioned DROP CONSTRAINT chunks_pkey;
            DROP INDEX IF EXISTS chunks_theme_idx, chunks_day_idx, chunks_category_idx, chunks_doc_idx, chunks_tsv_idx, chunks_embedding_hnsw;
            {{ChunkTable.CreateSql(ChunkTable.Served, s.VectorType, s.Dimensions)}}
            DO $do$
            DECLARE m date;
            BEGIN
                FOR m IN SELECT DISTINCT date_trunc('month', day)::date FROM chunks_unpartitioned LOOP
                    EXECUTE format('CREATE TABLE %I PARTITION OF chunks FOR VALUES FROM (%L) TO (%L)',
                        'chunks_p' || to_char(m, 'YYYYMM'), m, (m + interval '1 month')::date);
                END LOOP;
            END $do$;
            INSERT INTO chunks (chunk_id, doc_id, day, ordinal, text, token_count, model, category, content_hash, theme_id, embedding)
            SELECT chunk_id, doc_id, day, ordinal, text, token_count, model, category, content_hash, theme_id, embedding::{{s.VectorType}}
            FROM chunks_unpartitioned;
            DROP TABLE chunks_unpartitioned;
            {{ChunkTable.IndexesSql(ChunkTable.Served, s.VectorType, s.HnswM, s.HnswEfConstruction)}}
            """),
        // The served model, one row: load writes only its vectors into chunks, serve refuses another, and a switch
        // of model changes it in the transaction that swaps the tables. A store from before takes its rows' model.
        new(4, "store settings: the served model", _ => """
            CREATE TABLE store_settings (
                name       text        PRIMARY KEY,
                value      text        NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO store_settings (name, value)
            SELECT 'served_model', model FROM chunks GROUP BY model ORDER BY count(*) DESC, model LIMIT 1;
            """),
    ];
}
