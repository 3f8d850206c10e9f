using Npgsql;

namespace Jobs.Store;

public sealed partial class PgSchema
{
    /// <summary>
    /// The table this model's vectors go to: <c>chunks</c> when it is the served model (the first model to load becomes
    /// it), else the side-by-side <c>chunks_next</c>, created for it here. The side-by-side table belongs to one model
    /// at a time: another one is refused until it is switched to or dropped.
    /// </summary>
    private async Task<string> EnsureModelTableAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Migrations.SchemaSettings settings,
        CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, tx, "INSERT INTO store_settings (name, value) VALUES (@name, @model) ON CONFLICT (name) DO NOTHING", cancellationToken,
            ("name", ServedModel.ServedKey), ("model", model.Id));
        var served = await ServedModel.ReadAsync(connection, tx, ServedModel.ServedKey, cancellationToken).ConfigureAwait(false);
        if (served == model.Id) return ChunkTable.Served;

        var candidate = await ServedModel.ReadAsync(connection, tx, ServedModel.CandidateKey, cancellationToken).ConfigureAwait(false);
        if (candidate is not null && candidate != model.Id)
            throw new StoreSchemaException(
                $"the side-by-side table {ChunkTable.Candidate} holds vectors of {candidate}, not {model.Id}: switch to it (load --switch-model {candidate}) or DROP TABLE {ChunkTable.Candidate} and DELETE FROM store_settings WHERE name = '{ServedModel.CandidateKey}' first");
        if (candidate is null)
        {
            await ExecuteAsync(connection, tx, $"DROP TABLE IF EXISTS {ChunkTable.Candidate};"
                + ChunkTable.CreateSql(ChunkTable.Candidate, settings.VectorType, settings.Dimensions)
                + ChunkTable.IndexesSql(ChunkTable.Candidate, settings.VectorType, settings.HnswM, settings.HnswEfConstruction)
                + "INSERT INTO store_settings (name, value) VALUES (@name, @model)", cancellationToken, ("name", ServedModel.CandidateKey), ("model", model.Id));
        }
        SideBySide(served!, model.Id, ChunkTable.Candidate);
        return ChunkTable.Candidate;
    }
}
