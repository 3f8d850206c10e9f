using Jobs.Contracts;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Jobs.Store;

/// <summary>
/// The first half of a load: binary COPY of the range's rows into temporary tables of the session (no WAL, invisible
/// to every other session), then primary keys on them, so that duplicate ids in the lake are refused before anything
/// is applied (and the planner learns their sizes).
/// </summary>
internal static class LoadStaging
{
    private const string CreateSql = """
        DROP TABLE IF EXISTS load_documents, load_chunks;
        CREATE TEMP TABLE load_documents (
            doc_id text NOT NULL, day date NOT NULL, ts timestamptz NOT NULL, title text, category text, source text NOT NULL,
            text text NOT NULL, content_hash text NOT NULL);
        CREATE TEMP TABLE load_chunks (
            chunk_id text NOT NULL, doc_id text NOT NULL, day date NOT NULL, ordinal integer NOT NULL, text text NOT NULL,
            token_count integer NOT NULL, model text NOT NULL, category text, content_hash text NOT NULL, embedding vector NOT NULL);
        """;

    // Building a primary key also records the table's row and page counts (pg_class.reltuples, relpages), which is all
    // the applying statements' plans need (a scan of each staging table, an anti-join on the unique key). An ANALYZE
    // here cost as much CPU as the COPY itself (it samples every row and sorts each column, vectors included: make
    // bench, "loader staging"), so there is none.
    private const string IndexSql = """
        ALTER TABLE load_documents ADD PRIMARY KEY (day, doc_id);
        ALTER TABLE load_chunks ADD PRIMARY KEY (chunk_id);
        """;

    public static async Task<(long Documents, long Chunks)> CopyAsync(NpgsqlConnection connection, DateOnly start, DateOnly end,
        IAsyncEnumerable<StoredDocument> documents, IAsyncEnumerable<StoredChunk> chunks, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(CreateSql, connection))
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        long documentCount, chunkCount;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY load_documents (doc_id, day, ts, title, category, source, text, content_hash) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            await foreach (var d in documents.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                EnsureInRange(d.Day, start, end, d.DocId);
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(d.DocId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(d.Day, NpgsqlDbType.Date, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(DateTime.SpecifyKind(d.Timestamp, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(d.Title, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(d.Category, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(d.Source, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(d.Text, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(d.ContentHash ?? ContentHash.Of(d.Text), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }
            documentCount = (long)await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY load_chunks (chunk_id, doc_id, day, ordinal, text, token_count, model, category, content_hash, embedding) FROM STDIN (FORMAT BINARY)",
            cancellationToken).ConfigureAwait(false))
        {
            await foreach (var c in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                EnsureInRange(c.Day, start, end, c.ChunkId);
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.ChunkId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.DocId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.Day, NpgsqlDbType.Date, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.Ordinal, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.Text, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.TokenCount, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.Model, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.Category, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(c.ContentHash ?? ContentHash.Of(c.Text), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(new Vector(c.Embedding), cancellationToken).ConfigureAwait(false);
            }
            chunkCount = (long)await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var index = new NpgsqlCommand(IndexSql, connection))
            await index.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return (documentCount, chunkCount);
    }

    private static void EnsureInRange(DateOnly day, DateOnly start, DateOnly end, string id)
    {
        if (day < start || day >= end) throw new ArgumentException($"row {id} has day {day:yyyy-MM-dd} outside the load range");
    }
}
