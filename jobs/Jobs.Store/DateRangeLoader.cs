using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Jobs.Store;

/// <summary>
/// Loads one date range of the lake into the serving tables. The rows are first binary-COPYed into session staging
/// tables (invisible to readers, so an attempt that dies there leaves nothing behind); then ONE transaction applies
/// them: insert new rows, update those whose content hash or metadata changed, delete the range's rows that vanished.
/// Unchanged rows are not rewritten (they keep their theme), readers see the range before or after, never between,
/// and a re-run changes nothing. Loads of the same range queue on an advisory lock; loads of other ranges run at once.
/// </summary>
public sealed partial class DateRangeLoader(NpgsqlDataSource dataSource, ILogger<DateRangeLoader> log)
{
    private const long LoadLockNamespace = 0x4A6F6273_00000002;
    private const long AnalyzeLockKey = 0x4A6F6273_00000004;

    public DateRangeLoader(NpgsqlDataSource dataSource) : this(dataSource, NullLogger<DateRangeLoader>.Instance) { }

    /// <summary>
    /// Makes the range [<paramref name="start"/>, <paramref name="end"/>) hold exactly <paramref name="documents"/> and
    /// <paramref name="chunks"/>. The sequences are enumerated once per call: a retry calls again with fresh ones.
    /// </summary>
    public async Task<LoadResult> ReplaceAsync(DateOnly start, DateOnly end,
        IAsyncEnumerable<StoredDocument> documents, IAsyncEnumerable<StoredChunk> chunks, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var (stagedDocuments, stagedChunks) = await LoadStaging.CopyAsync(connection, start, end, documents, chunks, cancellationToken).ConfigureAwait(false);
        Staged(start, end, stagedDocuments, stagedChunks, clock.ElapsedMilliseconds);

        ApplyCounts d, c;
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            // Two loads of the same range (an Airflow retry racing a zombie pod) queue up instead of interleaving.
            await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", LoadLockNamespace ^ start.DayNumber));
            var (di, du) = await CountAsync(connection, tx, ApplyDocumentsSql, start, end, cancellationToken).ConfigureAwait(false);
            var (ci, cu) = await CountAsync(connection, tx, ApplyChunksSql, start, end, cancellationToken).ConfigureAwait(false);
            var chunksDeleted = await ExecuteAsync(connection, tx, DeleteChunksSql, cancellationToken, ("start", start), ("end", end));
            var documentsDeleted = await ExecuteAsync(connection, tx, DeleteDocumentsSql, cancellationToken, ("start", start), ("end", end));
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            d = new ApplyCounts(stagedDocuments, di, du, documentsDeleted);
            c = new ApplyCounts(stagedChunks, ci, cu, chunksDeleted);
        }
        if (d.Inserted + d.Updated + d.Deleted + c.Inserted + c.Updated + c.Deleted > 0)
            await AnalyzeAsync(connection, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "DROP TABLE IF EXISTS load_documents, load_chunks", cancellationToken);
        Applied(start, end, c.Inserted, c.Updated, c.Unchanged, c.Deleted, d.Inserted, d.Updated, d.Deleted, clock.ElapsedMilliseconds);
        return new LoadResult(d, c);
    }

    // Only rows whose values differ are updated (ON CONFLICT ... WHERE): an unchanged row is not rewritten. xmax = 0
    // tells an inserted row from an updated one.
    private const string ApplyDocumentsSql = """
        WITH up AS (
            INSERT INTO documents AS d (doc_id, day, ts, title, category, source, text, content_hash)
            SELECT doc_id, day, ts, title, category, source, text, content_hash FROM load_documents
            ON CONFLICT (day, doc_id) DO UPDATE SET ts = excluded.ts, title = excluded.title, category = excluded.category,
                source = excluded.source, text = excluded.text, content_hash = excluded.content_hash
            WHERE (d.ts, d.title, d.category, d.source, d.content_hash)
                IS DISTINCT FROM (excluded.ts, excluded.title, excluded.category, excluded.source, excluded.content_hash)
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
        """;

    // A chunk whose text or model changed loses its theme (the theme stage assigns it again); otherwise it keeps it.
    private const string ApplyChunksSql = """
        WITH up AS (
            INSERT INTO chunks AS c (chunk_id, doc_id, day, ordinal, text, token_count, model, category, content_hash, embedding)
            SELECT chunk_id, doc_id, day, ordinal, text, token_count, model, category, content_hash, embedding FROM load_chunks
            ON CONFLICT (chunk_id) DO UPDATE SET doc_id = excluded.doc_id, day = excluded.day, ordinal = excluded.ordinal,
                text = excluded.text, token_count = excluded.token_count, model = excluded.model, category = excluded.category,
                content_hash = excluded.content_hash, embedding = excluded.embedding,
                theme_id = CASE WHEN (c.content_hash, c.model) IS DISTINCT FROM (excluded.content_hash, excluded.model) THEN NULL ELSE c.theme_id END
            WHERE (c.doc_id, c.day, c.ordinal, c.token_count, c.model, c.category, c.content_hash)
                IS DISTINCT FROM (excluded.doc_id, excluded.day, excluded.ordinal, excluded.token_count, excluded.model, excluded.category, excluded.content_hash)
               OR c.embedding IS DISTINCT FROM excluded.embedding
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
        """;

    private const string DeleteChunksSql = """
        DELETE FROM chunks c WHERE c.day >= @start AND c.day < @end
          AND NOT EXISTS (SELECT 1 FROM load_chunks s WHERE s.chunk_id = c.chunk_id)
        """;

    private const string DeleteDocumentsSql = """
        DELETE FROM documents d WHERE d.day >= @start AND d.day < @end
          AND NOT EXISTS (SELECT 1 FROM load_documents s WHERE s.day = d.day AND s.doc_id = d.doc_id)
        """;

    /// <summary>
    /// Fresh statistics for the planner and for full-text search's idf (N = the table's row estimate). Concurrent
    /// ANALYZEs of one table can fail on the statistics catalog, so a load whose neighbour is analyzing leaves it to them.
    /// </summary>
    private static async Task AnalyzeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", connection, tx))
        {
            tryLock.Parameters.AddWithValue("key", AnalyzeLockKey);
            if (await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                await ExecuteAsync(connection, tx, "ANALYZE documents, chunks", cancellationToken);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(long Inserted, long Updated)> CountAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql,
        DateOnly start, DateOnly end, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Staged [{Start}, {End}): {Documents} documents and {Chunks} chunks by binary COPY ({Milliseconds} ms)")]
    private partial void Staged(DateOnly start, DateOnly end, long documents, long chunks, long milliseconds);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information,
        Message = "Applied [{Start}, {End}) in one transaction: chunks {ChunksInserted} inserted, {ChunksUpdated} updated, {ChunksUnchanged} unchanged, {ChunksDeleted} deleted; documents {DocumentsInserted} inserted, {DocumentsUpdated} updated, {DocumentsDeleted} deleted ({Milliseconds} ms)")]
    private partial void Applied(DateOnly start, DateOnly end, long chunksInserted, long chunksUpdated, long chunksUnchanged, long chunksDeleted,
        long documentsInserted, long documentsUpdated, long documentsDeleted, long milliseconds);
}
