using Npgsql;

namespace Jobs.Store;

/// <summary>
/// Which embedding model the serving store serves: one row of <c>store_settings</c>, set by the first load and changed
/// only by <see cref="ModelSwitch"/>, in the transaction that swaps the tables. Load writes only this model's vectors
/// into <c>chunks</c>, validate checks them against it, and serve refuses to embed queries with another model.
/// </summary>
public static class ServedModel
{
    internal const string ServedKey = "served_model";
    internal const string CandidateKey = "candidate_model";

    /// <summary>The served model's id, or null when the store has none yet (nothing loaded, or a schema from before it was recorded).</summary>
    public static async Task<string?> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('store_settings') IS NOT NULL", connection))
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true) return null;
        return await ReadAsync(connection, null, ServedKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The model being loaded side by side into <c>chunks_next</c>, or null when none.</summary>
    public static async Task<string?> CandidateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(connection, null, CandidateKey, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<string?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string key, CancellationToken cancellationToken,
        bool share = false)
    {
        await using var cmd = new NpgsqlCommand("SELECT value FROM store_settings WHERE name = @name" + (share ? " FOR SHARE" : ""), connection, tx);
        cmd.Parameters.AddWithValue("name", key);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }
}
