using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Jobs.Store;

/// <summary>
/// Replaces the serving rows of one date range in one transaction: delete the range, then binary COPY the new rows.
/// A retry or re-run therefore never duplicates, and readers see the old rows or the new ones, never a mix.
/// </summary>
public sealed partial class DateRangeLoader(NpgsqlDataSource dataSource, ILogger<DateRangeLoader> log)
{
    private const long LoadLockNamespace = 0x4A6F6273_00000002;

    public DateRangeLoader(NpgsqlDataSource dataSource) : this(dataSource, NullLogger<DateRangeLoader>.Instance) { }

    public async Task<StoreCounts> ReplaceAsync(DateOnly start, DateOnly end,
        IAsyncEnumerable<StoredDocument> documents, IAsyncEnumerable<StoredChunk> chunks, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Two loads of the same chunk (an Airflow retry racing a zombie pod) queue up instead of interleaving.
        await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", LoadLockNamespace ^ start.DayNumber));
        Locked(start, end, clock.ElapsedMilliseconds);
        await ExecuteAsync(connection, tx, "DELETE FROM documents WHERE day >= @start AND day < @end", cancellationToken, ("start", start), ("end", end));

        long documentCount = 0, chunkCount = 0;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY documents (doc_id, day, ts, title, category, source, text) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
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
                documentCount++;
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY chunks (chunk_id, doc_id, day, ordinal, text, token_count, model, category, embedding) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
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
                await writer.WriteAsync(new Vector(c.Embedding), cancellationToken).ConfigureAwait(false);
                chunkCount++;
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Fresh statistics for the planner and for full-text search's idf (N = the table's row estimate).
        await using (var analyze = new NpgsqlCommand("ANALYZE documents, chunks", connection))
            await analyze.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Replaced(start, end, documentCount, chunkCount, clock.ElapsedMilliseconds);
        return new StoreCounts(documentCount, chunkCount);
    }

    private static void EnsureInRange(DateOnly day, DateOnly start, DateOnly end, string id)
    {
        if (day < start || day >= end) throw new ArgumentException($"row {id} has day {day:yyyy-MM-dd} outside the load range");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Holding the load lock of [{Start}, {End}) after {Milliseconds} ms")]
    private partial void Locked(DateOnly start, DateOnly end, long milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replaced [{Start}, {End}) with {Documents} documents and {Chunks} chunks in one transaction ({Milliseconds} ms)")]
    private partial void Replaced(DateOnly start, DateOnly end, long documents, long chunks, long milliseconds);
}
