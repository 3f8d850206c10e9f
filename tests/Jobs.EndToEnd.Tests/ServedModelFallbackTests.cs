using Jobs.Contracts;
using Jobs.LocalRun;
using Jobs.Store;
using Npgsql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// The served model as the store answers it for every reader (serve's check, validate): the recorded one, else, for a
/// store loaded before it was recorded, the model of the rows of <c>chunks</c>; on a real PostgreSQL + pgvector.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ServedModelFallbackTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Other = "other-embedding-model-v2";

    [Fact]
    public async Task Read_NoRecordAndRowsOfOneModel_IsTheRowsModel()
    {
        await using var db = await StoreAsync("served_fallback_one");
        await InsertChunkAsync(db, Other);
        await ExecuteAsync(db, "DELETE FROM store_settings");

        Assert.Equal(Other, await ServedModel.ReadAsync(db, Ct));
        Assert.Equal([Other], await ServedModel.ReadAllAsync(db, Ct));
    }

    [Fact]
    public async Task Read_NoSettingsTable_FallsBackOnTheRowsAndHasNoCandidate()
    {
        await using var db = await StoreAsync("served_fallback_no_table");
        await InsertChunkAsync(db, Other);
        await ExecuteAsync(db, "DROP TABLE store_settings"); // a schema from before migration 4

        Assert.Equal(Other, await ServedModel.ReadAsync(db, Ct));
        Assert.Null(await ServedModel.CandidateAsync(db, Ct));
        Assert.Equal(StoreAudit.Table.Chunks, await new StoreAudit(db).ChunksOfAsync(EmbeddingModels.Default.Id, Ct));
    }

    [Fact]
    public async Task Read_NoRecordAndRowsOfSeveralModels_IsNoneButNamesThemAll()
    {
        await using var db = await StoreAsync("served_fallback_several");
        await InsertChunkAsync(db, Other);
        await InsertChunkAsync(db, EmbeddingModels.Default.Id);
        await ExecuteAsync(db, "DELETE FROM store_settings");

        Assert.Null(await ServedModel.ReadAsync(db, Ct));
        Assert.Equal(new[] { EmbeddingModels.Default.Id, Other }.Order(StringComparer.Ordinal), (await ServedModel.ReadAllAsync(db, Ct)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Read_RecordedModel_WinsOverTheRows()
    {
        await using var db = await StoreAsync("served_fallback_recorded");
        await InsertChunkAsync(db, Other); // the schema recorded the default model

        Assert.Equal(EmbeddingModels.Default.Id, await ServedModel.ReadAsync(db, Ct));
        Assert.Equal([EmbeddingModels.Default.Id], await ServedModel.ReadAllAsync(db, Ct));
    }

    [Fact]
    public async Task Read_EmptyStoreWithoutRecord_IsNone()
    {
        await using var db = await StoreAsync("served_fallback_empty");
        await ExecuteAsync(db, "DELETE FROM store_settings");

        Assert.Null(await ServedModel.ReadAsync(db, Ct));
        Assert.Empty(await ServedModel.ReadAllAsync(db, Ct));
    }

    private async Task<NpgsqlDataSource> StoreAsync(string name)
    {
        var pg = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, name, fresh: true, Ct);
        var db = PgDataSource.Create(pg);
        await new PgSchema(db, EmbeddingModels.Default).EnsureAsync(Ct);
        return db;
    }

    private static Task InsertChunkAsync(NpgsqlDataSource db, string model) => ExecuteAsync(db, $"""
        INSERT INTO documents (doc_id, day, ts, source, text) VALUES ('d1', '2024-01-01', '2024-01-01T00:00:00Z', 'test', 'A passage.')
            ON CONFLICT DO NOTHING;
        CREATE TABLE IF NOT EXISTS chunks_p202401 PARTITION OF chunks FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
        INSERT INTO chunks (chunk_id, doc_id, day, ordinal, text, token_count, model, embedding)
            VALUES ('c-' || @model, 'd1', '2024-01-01', 0, 'A passage.', 4, @model, array_fill(0.05::real, ARRAY[{EmbeddingModels.Default.Dimensions}])::vector);
        """, model);

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, string? model = null)
    {
        await using var cmd = db.CreateCommand(sql);
        if (model is not null) cmd.Parameters.AddWithValue("model", model);
        await cmd.ExecuteNonQueryAsync(Ct);
    }
}
