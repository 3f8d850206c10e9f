using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Jobs.Store;

/// <summary>What a switch of model did: the model served before, the one served now, and the chunks it serves.</summary>
public sealed record SwitchResult(string? Previous, string Served, long Chunks, bool Switched);

/// <summary>
/// Makes the model loaded side by side (<c>chunks_next</c>) the served one, in ONE transaction: the settings rows are
/// taken FOR UPDATE (loads in flight finish first, later ones see the new model), the side-by-side table must hold
/// exactly the served table's chunks (same ids and days: every date chunk loaded with both models), then the served
/// table is dropped, the side-by-side one (its partitions and indexes) renamed into its place, and the served model
/// recorded. A reader sees the old table or the new one, never a mix. The previous model's vectors are gone afterwards;
/// themes are model-specific, so the new table has none until the theme stage runs again.
/// </summary>
public sealed partial class ModelSwitch(NpgsqlDataSource dataSource, ILogger<ModelSwitch> log)
{
    public ModelSwitch(NpgsqlDataSource dataSource) : this(dataSource, NullLogger<ModelSwitch>.Instance) { }

    public async Task<SwitchResult> SwitchAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string? served = null, candidate = null;
        await using (var cmd = new NpgsqlCommand("SELECT name, value FROM store_settings WHERE name = ANY(@names) FOR UPDATE", connection, tx))
        {
            cmd.Parameters.AddWithValue("names", new[] { ServedModel.ServedKey, ServedModel.CandidateKey });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                if (reader.GetString(0) == ServedModel.ServedKey) served = reader.GetString(1);
                else candidate = reader.GetString(1);
        }
        if (served == model)
            return new SwitchResult(served, model, await Sql.ScalarAsync<long>(connection, tx, "SELECT count(*) FROM chunks", cancellationToken), Switched: false);
        if (candidate != model)
            throw new StoreSchemaException($"no side-by-side vectors of {model} (the store serves {served ?? "nothing yet"}; side by side: {candidate ?? "none"}): load every date chunk with --model {model} first");

        await using (var cmd = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE n.chunk_id IS NULL), count(*) FILTER (WHERE s.chunk_id IS NULL), count(n.chunk_id)
            FROM chunks s FULL JOIN chunks_next n ON n.chunk_id = s.chunk_id AND n.day = s.day
            """, connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var (missing, extra) = (reader.GetInt64(0), reader.GetInt64(1));
            if (missing + extra > 0)
                throw new StoreSchemaException(
                    $"{ChunkTable.Candidate} does not hold the served chunks ({missing} missing, {extra} not served): load every date chunk with --model {model} (and the served model's loads since) before switching");
        }
        var chunks = await Sql.ScalarAsync<long>(connection, tx, "SELECT count(*) FROM chunks_next", cancellationToken);
        await Sql.ExecuteAsync(connection, tx, SwapSql, cancellationToken, ("served", ServedModel.ServedKey), ("candidate", ServedModel.CandidateKey), ("model", model));
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        Switched(served, model, chunks);
        return new SwitchResult(served, model, chunks, Switched: true);
    }

    private const string SwapSql = """
        DROP TABLE chunks;
        ALTER TABLE chunks_next RENAME TO chunks;
        DO $do$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'chunks'::regclass LOOP
                EXECUTE format('ALTER TABLE %I RENAME TO %I', r.relname, 'chunks_' || substr(r.relname, length('chunks_next_') + 1));
            END LOOP;
            FOR r IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                     WHERE x.indrelid = 'chunks'::regclass AND c.relname LIKE 'chunks\_next\_%' LOOP
                EXECUTE format('ALTER INDEX %I RENAME TO %I', r.relname, 'chunks_' || substr(r.relname, length('chunks_next_') + 1));
            END LOOP;
        END $do$;
        UPDATE store_settings SET value = @model, updated_at = now() WHERE name = @served;
        DELETE FROM store_settings WHERE name = @candidate;
        """;

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Switched the served model from {Previous} to {Served}: {Chunks} chunks served")]
    private partial void Switched(string? previous, string served, long chunks);
}
