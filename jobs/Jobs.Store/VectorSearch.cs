using Npgsql;
using Pgvector;

namespace Jobs.Store;

/// <summary>Nearest chunks to a query vector by cosine distance (HNSW), optionally within a date range (which prunes the month partitions).</summary>
public sealed class VectorSearch(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(float[] query, int topK,
        DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // With a filter, plain HNSW returns ef_search candidates and filters them afterwards, often leaving fewer than
        // k rows; pgvector 0.8's iterative scan keeps searching until k rows pass the filter.
        var vectorType = await SearchSession.BeginAsync(connection, tx, 100, cancellationToken).ConfigureAwait(false);
        // relaxed_order may hand rows over slightly out of order: the k found are sorted again by distance.
        await using var cmd = new NpgsqlCommand($"""
            WITH nearest AS MATERIALIZED (
                SELECT c.chunk_id, c.doc_id, c.day, c.ordinal, c.text, c.embedding <=> @query::{vectorType} AS distance
                FROM chunks c
                WHERE c.day >= @from AND c.day < @to
                ORDER BY c.embedding <=> @query::{vectorType}
                LIMIT @k)
            SELECT n.chunk_id, n.doc_id, n.day, d.title, n.ordinal, n.text, 1 - n.distance AS score
            FROM nearest n JOIN documents d ON d.day = n.day AND d.doc_id = n.doc_id
            ORDER BY n.distance, n.chunk_id
            """, connection, tx);
        cmd.Parameters.AddWithValue("query", new Vector(query));
        cmd.Parameters.AddWithValue("from", from ?? DateOnly.MinValue);
        cmd.Parameters.AddWithValue("to", to ?? DateOnly.MaxValue);
        cmd.Parameters.AddWithValue("k", topK);
        var hits = new List<SearchHit>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            hits.Add(new SearchHit(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4), reader.GetString(5), reader.GetDouble(6)));
        return hits;
    }

    public async Task<StoreCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks)");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new StoreCounts(reader.GetInt64(0), reader.GetInt64(1));
    }
}
