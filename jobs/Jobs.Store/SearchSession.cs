using Npgsql;

namespace Jobs.Store;

/// <summary>
/// The settings of one search transaction, and the served table's vector type read in the same round trip: the query
/// vector is cast to it (vector or halfvec) so that the HNSW index of each partition matches the operator. Read per
/// query, so a switch of model or vector type is followed at once.
/// </summary>
internal static class SearchSession
{
    /// <summary>SET LOCAL takes no parameters: <paramref name="efSearch"/> is a validated integer.</summary>
    public static async Task<string> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction tx, int efSearch, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"""
            SET LOCAL hnsw.ef_search = {efSearch}; SET LOCAL hnsw.iterative_scan = relaxed_order;
            SELECT t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = 'chunks'::regclass AND a.attname = 'embedding'
            """, connection, tx);
        var type = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        return type == "halfvec" ? "halfvec" : "vector";
    }
}
