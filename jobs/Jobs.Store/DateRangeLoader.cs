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
/// The chunks go to the table of their model: <c>chunks</c> for the served model, <c>chunks_next</c> for the model
/// loaded side by side (see <see cref="ModelSwitch"/>); any other model is refused. Only the range's month partitions
/// are touched, and a month's partition is created by the first load that needs it (<see cref="MonthPartitions"/>).
/// </summary>
public sealed partial class DateRangeLoader(NpgsqlDataSource dataSource, StoreOptions options, ILogger<DateRangeLoader> log)
{
    private const long LoadLockNamespace = 0x4A6F6273_00000002;
    private const long AnalyzeLockKey = 0x4A6F6273_00000004;

    public DateRangeLoader(NpgsqlDataSource dataSource) : this(dataSource, new StoreOptions(), NullLogger<DateRangeLoader>.Instance) { }

    public DateRangeLoader(NpgsqlDataSource dataSource, StoreOptions options) : this(dataSource, options, NullLogger<DateRangeLoader>.Instance) { }

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
        string table;
        IReadOnlyList<MonthPartitions.NewMonth> created;
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            // Two loads of the same range (an Airflow retry racing a zombie pod) queue up instead of interleaving.
            await Sql.ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", LoadLockNamespace ^ start.DayNumber));
            table = await LoadTarget.ResolveAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            // Before any write, so that a load waiting for the partition lock holds no row lock another one needs.
            created = await MonthPartitions.PrepareAsync(connection, tx, table, start, end, options, cancellationToken).ConfigureAwait(false);
            var (di, du) = await CountAsync(connection, tx, ApplyDocumentsSql, cancellationToken).ConfigureAwait(false);
            await MonthPartitions.AttachAsync(connection, tx, table, created, options, cancellationToken).ConfigureAwait(false);
            var bulk = created.Where(m => m.BulkRows > 0).ToList();
            var (ci, cu) = await CountAsync(connection, tx, ApplyChunksSql(table), cancellationToken,
                ("bulk", bulk.Select(m => m.Month).ToArray()), ("start", start), ("end", end)).ConfigureAwait(false);
            ci += bulk.Sum(m => m.BulkRows);
            var chunksDeleted = await Sql.ExecuteAsync(connection, tx, DeleteChunksSql(table), cancellationToken, ("start", start), ("end", end));
            var documentsDeleted = await Sql.ExecuteAsync(connection, tx, DeleteDocumentsSql, cancellationToken, ("start", start), ("end", end));
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            d = new ApplyCounts(stagedDocuments, di, du, documentsDeleted);
            c = new ApplyCounts(stagedChunks, ci, cu, chunksDeleted);
        }
        foreach (var m in created) PartitionCreated(m.Name, m.BulkRows);
        if (d.Inserted + d.Updated + d.Deleted + c.Inserted + c.Updated + c.Deleted > 0)
            await AnalyzeAsync(connection, [.. ChunkTable.Months(start, end).Select(m => ChunkTable.PartitionName(table, m))], cancellationToken).ConfigureAwait(false);
        await Sql.ExecuteAsync(connection, null, "DROP TABLE IF EXISTS load_documents, load_chunks", cancellationToken);
        Applied(start, end, c.Inserted, c.Updated, c.Unchanged, c.Deleted, d.Inserted, d.Updated, d.Deleted, clock.ElapsedMilliseconds);
        return new LoadResult(d, c) { Table = table, NewPartitions = [.. created.Select(m => new NewPartition(m.Name, m.BulkRows))] };
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
    // Rows of months this load created and filled before their indexes (@bulk) are already in place. A partitioned
    // table has no xmax in RETURNING: the outer query, which sees the table as before the statement, tells an inserted
    // row (absent then) from an updated one; its range bounds let the planner prune the other months.
    private static string ApplyChunksSql(string table) => $"""
        WITH up AS (
            INSERT INTO {table} AS c ({ChunkTable.LoadColumns})
            SELECT {ChunkTable.LoadColumns} FROM load_chunks WHERE date_trunc('month', day)::date <> ALL(@bulk)
            ON CONFLICT (chunk_id, day) DO UPDATE SET doc_id = excluded.doc_id, ordinal = excluded.ordinal,
                text = excluded.text, token_count = excluded.token_count, model = excluded.model, category = excluded.category,
                content_hash = excluded.content_hash, embedding = excluded.embedding,
                theme_id = CASE WHEN (c.content_hash, c.model) IS DISTINCT FROM (excluded.content_hash, excluded.model) THEN NULL ELSE c.theme_id END
            WHERE (c.doc_id, c.ordinal, c.token_count, c.model, c.category, c.content_hash)
                IS DISTINCT FROM (excluded.doc_id, excluded.ordinal, excluded.token_count, excluded.model, excluded.category, excluded.content_hash)
               OR c.embedding IS DISTINCT FROM excluded.embedding
            RETURNING chunk_id, day)
        SELECT count(*) FILTER (WHERE NOT existed), count(*) FILTER (WHERE existed)
        FROM (SELECT EXISTS (SELECT 1 FROM {table} o WHERE o.chunk_id = up.chunk_id AND o.day = up.day AND o.day >= @start AND o.day < @end) AS existed
              FROM up) r
        """;

    // The range bounds are bound values, so the planner prunes the other months' partitions.
    private static string DeleteChunksSql(string table) => $"""
        DELETE FROM {table} c WHERE c.day >= @start AND c.day < @end
          AND NOT EXISTS (SELECT 1 FROM load_chunks s WHERE s.chunk_id = c.chunk_id AND s.day = c.day)
        """;

    private const string DeleteDocumentsSql = """
        DELETE FROM documents d WHERE d.day >= @start AND d.day < @end
          AND NOT EXISTS (SELECT 1 FROM load_documents s WHERE s.day = d.day AND s.doc_id = d.doc_id)
        """;

    /// <summary>
    /// Fresh statistics for the planner and for full-text search's idf (N = the partitions' row estimates): the
    /// documents and the range's partitions only. Concurrent ANALYZEs of one table can fail on the statistics catalog,
    /// so a load whose neighbour is analyzing leaves it to them.
    /// </summary>
    private static async Task AnalyzeAsync(NpgsqlConnection connection, IReadOnlyList<string> partitions, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await Sql.ScalarAsync<bool>(connection, tx, "SELECT pg_try_advisory_xact_lock(@key)", cancellationToken, ("key", AnalyzeLockKey)))
            await Sql.ExecuteAsync(connection, tx, $"ANALYZE documents, {string.Join(", ", partitions)}", cancellationToken);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(long Inserted, long Updated)> CountAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Created partition {Partition} ({BulkRows} rows copied before its indexes were built)")]
    private partial void PartitionCreated(string partition, long bulkRows);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Staged [{Start}, {End}): {Documents} documents and {Chunks} chunks by binary COPY ({Milliseconds} ms)")]
    private partial void Staged(DateOnly start, DateOnly end, long documents, long chunks, long milliseconds);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information,
        Message = "Applied [{Start}, {End}) in one transaction: chunks {ChunksInserted} inserted, {ChunksUpdated} updated, {ChunksUnchanged} unchanged, {ChunksDeleted} deleted; documents {DocumentsInserted} inserted, {DocumentsUpdated} updated, {DocumentsDeleted} deleted ({Milliseconds} ms)")]
    private partial void Applied(DateOnly start, DateOnly end, long chunksInserted, long chunksUpdated, long chunksUnchanged, long chunksDeleted,
        long documentsInserted, long documentsUpdated, long documentsDeleted, long milliseconds);
}
