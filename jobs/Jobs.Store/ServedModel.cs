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

    /// <summary>
    /// The served model's id: the one recorded, else (a store loaded before it was recorded) the model of the rows of
    /// <c>chunks</c> when they hold exactly one; null when the store holds none yet, or rows of several models and no
    /// record (<see cref="ReadAllAsync"/> names them).
    /// </summary>
    public static async Task<string?> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default) =>
        await ReadAllAsync(dataSource, cancellationToken).ConfigureAwait(false) is [var served] ? served : null;

    /// <summary>
    /// The recorded served model, else the distinct models of the rows of <c>chunks</c> (at most 10, in order): none for a
    /// store not yet loaded, several for a store that mixes models and records none. Every reader (serve's check at
    /// start, load, validate) takes its answer from here, so they agree on what is served.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadAllAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await ExistsAsync(connection, "store_settings", cancellationToken).ConfigureAwait(false)
            && await ReadAsync(connection, null, ServedKey, cancellationToken).ConfigureAwait(false) is { } served)
            return [served];
        if (!await ExistsAsync(connection, ChunkTable.Served, cancellationToken).ConfigureAwait(false)) return [];
        var models = new List<string>();
        await using (var distinct = new NpgsqlCommand($"SELECT DISTINCT model FROM {ChunkTable.Served} ORDER BY model LIMIT 10", connection))
        await using (var rows = await distinct.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false)) models.Add(rows.GetString(0));
        return models;
    }

    /// <summary>The model being loaded side by side into <c>chunks_next</c>, or null when none.</summary>
    public static async Task<string?> CandidateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExistsAsync(connection, "store_settings", cancellationToken).ConfigureAwait(false)
            ? await ReadAsync(connection, null, CandidateKey, cancellationToken).ConfigureAwait(false) : null;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection);
        exists.Parameters.AddWithValue("table", table);
        return await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    internal static async Task<string?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string key, CancellationToken cancellationToken,
        bool share = false)
    {
        await using var cmd = new NpgsqlCommand("SELECT value FROM store_settings WHERE name = @name" + (share ? " FOR SHARE" : ""), connection, tx);
        cmd.Parameters.AddWithValue("name", key);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }
}
