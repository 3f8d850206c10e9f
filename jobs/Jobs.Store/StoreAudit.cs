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

    /// <summary>Chunks of the range whose model is not <paramref name="model"/>: their count and a few ids.</summary>
    public async Task<(long Count, IReadOnlyList<string> Samples)> OtherModelAsync(string model, DateOnly start, DateOnly end, int samples,
        CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT count(*) OVER (), chunk_id FROM chunks WHERE day >= @start AND day < @end AND model <> @model ORDER BY chunk_id LIMIT @n
            """);
        cmd.Parameters.AddWithValue("start", start);
        cmd.Parameters.AddWithValue("end", end);
        cmd.Parameters.AddWithValue("model", model);
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
    private static (string Name, string Id) Columns(Table table) => table == Table.Documents ? ("documents", "doc_id") : ("chunks", "chunk_id");
}
