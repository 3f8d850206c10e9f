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
    ];
}
