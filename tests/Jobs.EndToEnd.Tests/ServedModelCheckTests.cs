using Jobs.Contracts;
using Jobs.LocalRun;
using Jobs.Serve;
using Jobs.Store;
using Npgsql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>jobs-serve embeds queries with the served model or does not start: the check at start against a real store.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ServedModelCheckTests(PostgresFixture postgres)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private const string Other = "other-embedding-model-v2";

    [Fact]
    public async Task Start_ChunksOfAnotherModel_RefusesNamingBothModels()
    {
        var pg = await StoreAsync("e2e_served_other_rows");
        await InsertChunkAsync(pg, Other);
        // A store loaded before the served model was recorded (the schema records the loader's model from migration 4 on):
        // the check falls back on the models of the rows.
        await ExecuteAsync(pg, "DELETE FROM store_settings WHERE name = 'served_model' AND value <> @model", Other);

        var e = await StartFailsAsync(pg);

        Assert.Contains($"serves vectors of model {Other}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"embed queries with {EmbeddingModels.Default.Id}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RecordedServedModelDiffers_RefusesEvenThoughRowsMatch()
    {
        var pg = await StoreAsync("e2e_served_other_recorded");
        await InsertChunkAsync(pg, EmbeddingModels.Default.Id);
        await ExecuteAsync(pg, """
            CREATE TABLE IF NOT EXISTS store_settings (name text PRIMARY KEY, value text NOT NULL);
            INSERT INTO store_settings (name, value) VALUES ('served_model', @model) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value;
            """, Other);

        var e = await StartFailsAsync(pg);

        Assert.Contains($"serves vectors of model {Other}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EmptyStoreThenSameModel_Starts()
    {
        var pg = await StoreAsync("e2e_served_same");
        await StartsAsync(pg); // nothing loaded yet: no model to disagree with
        await InsertChunkAsync(pg, EmbeddingModels.Default.Id);
        await StartsAsync(pg);
    }

    private static async Task StartsAsync(string pg)
    {
        var app = ServeApp.Build([$"--Pg={pg}", "--Serve:Urls=http://127.0.0.1:0"]);
        await using (app)
        {
            await app.StartAsync(Token);
            await app.StopAsync(Token);
        }
    }

    private static async Task<ServedModelMismatchException> StartFailsAsync(string pg)
    {
        var app = ServeApp.Build([$"--Pg={pg}", "--Serve:Urls=http://127.0.0.1:0"]);
        await using (app)
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(Token));
            return ServedModelMismatchException.Find(e) ?? throw new Xunit.Sdk.XunitException($"expected a served-model mismatch, got {e}");
        }
    }

    private async Task<string> StoreAsync(string name)
    {
        var pg = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, name, fresh: true, Token);
        await using var dataSource = PgDataSource.Create(pg);
        await new PgSchema(dataSource, EmbeddingModels.Default).EnsureAsync(Token);
        return pg;
    }

    private static Task InsertChunkAsync(string pg, string model) => ExecuteAsync(pg, $"""
        INSERT INTO documents (doc_id, day, ts, source, text) VALUES ('d1', '2024-01-01', '2024-01-01T00:00:00Z', 'test', 'A passage.')
            ON CONFLICT DO NOTHING;
        CREATE TABLE IF NOT EXISTS chunks_p202401 PARTITION OF chunks FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
        INSERT INTO chunks (chunk_id, doc_id, day, ordinal, text, token_count, model, embedding)
            VALUES ('c-' || @model, 'd1', '2024-01-01', 0, 'A passage.', 4, @model, array_fill(0.05::real, ARRAY[{EmbeddingModels.Default.Dimensions}])::vector);
        """, model);

    private static async Task ExecuteAsync(string pg, string sql, string model)
    {
        await using var connection = new NpgsqlConnection(pg);
        await connection.OpenAsync(Token);
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddWithValue("model", model);
        await cmd.ExecuteNonQueryAsync(Token);
    }
}
