using Npgsql;

namespace Jobs.Store;

/// <summary>
/// Reads what the serving store holds for a date range, for reconciliation with the lake: the digest of its documents
/// and chunks (count and checksum over ids and content hashes, computed by the server), and, when they differ, the rows
/// themselves so the differences can be named.
/// </summary>
public sealed class StoreAudit(NpgsqlDataSource dataSource)
{
    public enum Table
    {
        Documents,
        Chunks,
        /// <summary>The side-by-side chunks of a model not yet served (<c>chunks_next</c>).</summary>
        SideBySideChunks,
    }

    /// <summary>The chunks table holding <paramref name="model"/>'s vectors: the served one, or the side-by-side one when that model is loaded there.</summary>
    public async Task<Table> ChunksOfAsync(string model, CancellationToken cancellationToken = default)
    {
        var served = await ServedModel.ReadAsync(dataSource, cancellationToken).ConfigureAwait(false);
        return served is null || served == model || await ServedModel.CandidateAsync(dataSource, cancellationToken).ConfigureAwait(false) != model
            ? Table.Chunks : Table.SideBySideChunks;
    }

    public async Task<RowSetDigest> DigestAsync(Table table, DateOnly start, DateOnly end, CancellationToken cancellationToken = default)
    {
        var (name, id) = Columns(table);
        await using var cmd = dataSource.CreateCommand(
            $"SELECT count(*), {RowSetDigest.SqlSum(id, "content_hash")} FROM {name} WHERE day >= @start AND day < @end");
        cmd.Parameters.AddWithValue("start", start);
        cmd.Parameters.AddWithValue("end", end);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new RowSetDigest(reader.GetInt64(0), reader.GetDecimal(1));
    }

    /// <summary>Id → content hash (empty when none) of the range's rows.</summary>
    public async Task<Dictionary<string, string>> RowsAsync(Table table, DateOnly start, DateOnly end, CancellationToken cancellationToken = default)
    {
        var (name, id) = Columns(table);
        await using var cmd = dataSource.CreateCommand($"SELECT {id}, coalesce(content_hash, '') FROM {name} WHERE day >= @start AND day < @end");
        cmd.Parameters.AddWithValue("start", start);
        cmd.Parameters.AddWithValue("end", end);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows[reader.GetString(0)] = reader.GetString(1);
        return rows;
    }

    /// <summary>
    /// Chunks of the range whose model is not the one <paramref name="table"/> holds (the served model for the served
    /// table, as recorded in the store; <paramref name="model"/> for the side-by-side one): their count and a few ids.
    /// </summary>
    public async Task<(long Count, IReadOnlyList<string> Samples)> OtherModelAsync(string model, DateOnly start, DateOnly end, int samples,
        CancellationToken cancellationToken = default, Table table = Table.Chunks)
    {
        var expected = table == Table.Chunks ? await ServedModel.ReadAsync(dataSource, cancellationToken).ConfigureAwait(false) ?? model : model;
        await using var cmd = dataSource.CreateCommand($"""
            SELECT count(*) OVER (), chunk_id FROM {Columns(table).Name} WHERE day >= @start AND day < @end AND model <> @model ORDER BY chunk_id LIMIT @n
            """);
        cmd.Parameters.AddWithValue("start", start);
        cmd.Parameters.AddWithValue("end", end);
        cmd.Parameters.AddWithValue("model", expected);
        cmd.Parameters.AddWithValue("n", Math.Max(samples, 1));
        long count = 0;
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            count = reader.GetInt64(0);
            ids.Add(reader.GetString(1));
        }
        return (count, ids);
    }

    // Documents are keyed by (day, doc_id) but a document id is unique within a range's lake rows, as checked after ingest.
    private static (string Name, string Id) Columns(Table table) => table switch
    {
        Table.Documents => ("documents", "doc_id"),
        Table.SideBySideChunks => (ChunkTable.Candidate, "chunk_id"),
        _ => (ChunkTable.Served, "chunk_id"),
    };
}
