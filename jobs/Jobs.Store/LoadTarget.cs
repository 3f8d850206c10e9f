using Npgsql;

namespace Jobs.Store;

/// <summary>
/// Which chunks table a staged load applies to, decided inside its transaction: the served model's rows go to
/// <c>chunks</c>, the side-by-side model's to <c>chunks_next</c>, and any other model (or a mix) is refused. The settings
/// rows are read FOR SHARE, so a model switch (which takes them FOR UPDATE) waits for the load, and a load that waited
/// for a switch sees the new served model.
/// </summary>
internal static class LoadTarget
{
    public static async Task<string> ResolveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        var models = new List<string>();
        await using (var cmd = new NpgsqlCommand("SELECT DISTINCT model FROM load_chunks ORDER BY model LIMIT 3", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) models.Add(reader.GetString(0));
        if (models.Count > 1) throw new StoreSchemaException($"the load mixes vectors of several models ({string.Join(", ", models)}): load one model at a time");

        var served = await ServedModel.ReadAsync(connection, tx, ServedModel.ServedKey, cancellationToken, share: true).ConfigureAwait(false);
        if (models.Count == 0) return ChunkTable.Served;
        var model = models[0];
        if (served is null)
        {
            await Sql.ExecuteAsync(connection, tx, "INSERT INTO store_settings (name, value) VALUES (@name, @model) ON CONFLICT (name) DO NOTHING", cancellationToken,
                ("name", ServedModel.ServedKey), ("model", model));
            served = await ServedModel.ReadAsync(connection, tx, ServedModel.ServedKey, cancellationToken, share: true).ConfigureAwait(false);
        }
        if (model == served) return ChunkTable.Served;
        var candidate = await ServedModel.ReadAsync(connection, tx, ServedModel.CandidateKey, cancellationToken, share: true).ConfigureAwait(false);
        if (model == candidate) return ChunkTable.Candidate;
        throw new StoreSchemaException(
            $"vectors of {model} are neither of the served model {served} nor of the model loaded side by side ({candidate ?? "none"}): the schema step of a load configured for {model} prepares its side-by-side table");
    }
}
