using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.LocalRun;
using Jobs.Store;
using Jobs.Testing;
using Npgsql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// Switching the served model on real PostgreSQL + pgvector: vectors of another model (here of another dimension) are
/// loaded side by side without touching what is served; the switch is refused until the side-by-side table holds every
/// served chunk; a reader that queries while the switch holds its locks gets the new model's rows, all of them, never a
/// mix; afterwards only the new model loads.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ModelSwitchTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateChunk Week = new(new DateOnly(2024, 3, 4), new DateOnly(2024, 3, 11));
    private static readonly DateChunk Next = new(Week.End, Week.End.AddDays(7));
    private static readonly EmbeddingModel Other = SyntheticLake.Model with { Id = "test-model-b", Dimensions = 256 };
    private readonly TempDirectory _lake = new("switch-lake");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The same chunks with vectors of <see cref="Other"/>.</summary>
    private static IAsyncEnumerable<StoredChunk> OtherChunks(SyntheticLake lake)
    {
        var random = new Random(11);
        return lake.StoredChunks().Select(c => c with { Model = Other.Id, Embedding = SyntheticLake.UnitVector(random, Other.Dimensions) });
    }

    private static async Task<(long Rows, long Models, string Model)> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx = null)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(*), count(DISTINCT model), min(model) FROM chunks", connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));
    }

    private static async Task WaitUntilWaitingOnLockAsync(NpgsqlDataSource db, string applicationName)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND wait_event_type = 'Lock'");
        cmd.Parameters.AddWithValue("name", applicationName);
        while ((long)(await cmd.ExecuteScalarAsync(Ct))! == 0) await Task.Delay(20, Ct); // until the server shows it waiting
    }

    [Fact]
    public async Task Switch_SideBySideModel_IsOneAtomicStep()
    {
        var connection = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "model_switch", fresh: true, Ct);
        await using var db = PgDataSource.Create(connection);
        await new PgSchema(db, SyntheticLake.Model).EnsureAsync(Ct);
        var loader = new DateRangeLoader(db);
        var (week, next) = (new SyntheticLake(_lake.Path, Week, seed: 1), new SyntheticLake(_lake.Path, Next, seed: 2));
        await loader.ReplaceAsync(Week.Start, Week.End, week.StoredDocuments(), week.StoredChunks(), Ct);
        await loader.ReplaceAsync(Next.Start, Next.End, next.StoredDocuments(), next.StoredChunks(), Ct);
        Assert.Equal(SyntheticLake.Model.Id, await ServedModel.ReadAsync(db, Ct));

        // The other model's schema step prepares its side-by-side table; its load leaves the served rows alone.
        await new PgSchema(db, Other).EnsureAsync(Ct);
        Assert.Equal(Other.Id, await ServedModel.CandidateAsync(db, Ct));
        var side = await loader.ReplaceAsync(Week.Start, Week.End, week.StoredDocuments(), OtherChunks(week), Ct);
        Assert.Equal(("chunks_next", 28L), (side.Table, side.Chunks.Inserted));
        var probe = week.Embeddings[4];
        Assert.Equal(probe.ChunkId, (await new VectorSearch(db).SearchAsync(probe.Embedding, 1, cancellationToken: Ct))[0].ChunkId);

        // Half loaded: the switch is refused and nothing changes.
        var refused = await Assert.ThrowsAsync<StoreSchemaException>(() => new ModelSwitch(db).SwitchAsync(Other.Id, Ct));
        Assert.Contains("28 missing", refused.Message, StringComparison.Ordinal);
        Assert.Equal(SyntheticLake.Model.Id, await ServedModel.ReadAsync(db, Ct));
        await loader.ReplaceAsync(Next.Start, Next.End, next.StoredDocuments(), OtherChunks(next), Ct);

        // A reader holds the served table; the switch queues behind it, and a second reader queues behind the switch.
        await using var first = await db.OpenConnectionAsync(Ct);
        await using var holding = await first.BeginTransactionAsync(Ct);
        Assert.Equal((56L, 1L, SyntheticLake.Model.Id), await ReadAsync(first, holding));
        await using var switchDb = PgDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { ApplicationName = "switcher" }.ConnectionString);
        var switching = new ModelSwitch(switchDb).SwitchAsync(Other.Id, Ct);
        await WaitUntilWaitingOnLockAsync(db, "switcher");
        await using var readerDb = PgDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { ApplicationName = "reader" }.ConnectionString);
        await using var second = await readerDb.OpenConnectionAsync(Ct);
        var during = ReadAsync(second);
        await WaitUntilWaitingOnLockAsync(db, "reader");
        Assert.Equal((56L, 1L, SyntheticLake.Model.Id), await ReadAsync(first, holding)); // the first reader still sees the old model whole
        await holding.CommitAsync(Ct);

        var result = await switching;
        Assert.Equal(new SwitchResult(SyntheticLake.Model.Id, Other.Id, 56, Switched: true), result);
        Assert.Equal((56L, 1L, Other.Id), await during); // the queued reader sees the new model whole
        Assert.Equal(Other.Id, await ServedModel.ReadAsync(db, Ct));
        Assert.Null(await ServedModel.CandidateAsync(db, Ct));
        await using (var names = db.CreateCommand("""
            SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE 'chunks%' AND relkind IN ('r', 'p') OR relname = 'chunks_embedding_hnsw'
            """))
            Assert.Equal("chunks,chunks_embedding_hnsw,chunks_p202403", await names.ExecuteScalarAsync(Ct));

        // The new model is served (its dimension too) and loads into chunks; the old one is refused.
        var otherProbe = await OtherChunks(week).Skip(4).FirstAsync(Ct);
        Assert.Equal(otherProbe.ChunkId, (await new VectorSearch(db).SearchAsync(otherProbe.Embedding, 1, cancellationToken: Ct))[0].ChunkId);
        var rerun = await loader.ReplaceAsync(Week.Start, Week.End, week.StoredDocuments(), OtherChunks(week), Ct);
        Assert.Equal(("chunks", new ApplyCounts(28, 0, 0, 0)), (rerun.Table, rerun.Chunks));
        await Assert.ThrowsAsync<StoreSchemaException>(() => loader.ReplaceAsync(Week.Start, Week.End, week.StoredDocuments(), week.StoredChunks(), Ct));
        Assert.False((await new ModelSwitch(db).SwitchAsync(Other.Id, Ct)).Switched); // switching again is a no-op
    }

    /// <summary>
    /// The same steps through the load stage's own command line, as the DAG runs them: the store serves an older model
    /// (256-d); `load` of the configured model fills the side-by-side table while the old vectors keep serving,
    /// `load --switch-model` swaps them in one step, and after-load validation then checks the new model's rows.
    /// </summary>
    [Fact]
    public async Task LoadStage_NewModelSideBySideThenSwitch_ServesItWhole()
    {
        var connection = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "model_switch_stage", fresh: true, Ct);
        await using var db = PgDataSource.Create(connection);
        var lake = new SyntheticLake(_lake.Path, Week, seed: 5);
        await lake.WriteAsync(Ct);
        var previous = SyntheticLake.Model with { Id = "previous-model-v1", Dimensions = 256 };
        await new PgSchema(db, previous).EnsureAsync(Ct);
        var random = new Random(12);
        await new DateRangeLoader(db).ReplaceAsync(Week.Start, Week.End, lake.StoredDocuments(),
            lake.StoredChunks().Select(c => c with { Model = previous.Id, Embedding = SyntheticLake.UnitVector(random, previous.Dimensions) }), Ct);
        Assert.Equal(previous.Id, await ServedModel.ReadAsync(db, Ct));

        var side = await StageRun.RunAsync(new Jobs.Load.LoadStage(), lake.Args("--pg", connection));
        Assert.True(side.ExitCode == ExitCodes.Success, side.Log);
        Assert.Equal(28L, side.Counts["chunks_inserted"]);
        await using (var conn = await db.OpenConnectionAsync(Ct))
            Assert.Equal((28L, 1L, previous.Id), await ReadAsync(conn)); // the old model still serves, whole
        await using (var next = db.CreateCommand("SELECT count(*), min(model) FROM chunks_next"))
        await using (var reader = await next.ExecuteReaderAsync(Ct))
        {
            await reader.ReadAsync(Ct);
            Assert.Equal((28L, SyntheticLake.Model.Id), (reader.GetInt64(0), reader.GetString(1)));
        }

        var switched = await StageRun.RunAsync(new Jobs.Load.LoadStage(), lake.Args("--pg", connection, "--switch-model", SyntheticLake.Model.Id));
        Assert.True(switched.ExitCode == ExitCodes.Success, switched.Log);
        Assert.Equal((28L, 1L), (switched.Counts["chunks"], switched.Counts["switched"]));
        await using (var conn = await db.OpenConnectionAsync(Ct))
            Assert.Equal((28L, 1L, SyntheticLake.Model.Id), await ReadAsync(conn));
        Assert.Equal(SyntheticLake.Model.Id, await ServedModel.ReadAsync(db, Ct));
        var probe = lake.Embeddings[4];
        Assert.Equal(probe.ChunkId, (await new VectorSearch(db).SearchAsync(probe.Embedding, 1, cancellationToken: Ct))[0].ChunkId);

        var validated = await StageRun.RunAsync(new Jobs.Validate.ValidateStage(), lake.Args("--pg", connection, "--after", "load"));
        Assert.True(validated.ExitCode == ExitCodes.Success, validated.Log);
        var again = await StageRun.RunAsync(new Jobs.Load.LoadStage(), lake.Args("--pg", connection));
        Assert.Equal((0L, 28L), (again.Counts["chunks_inserted"], again.Counts["chunks_unchanged"])); // now loads into the served table
    }

    public void Dispose() => _lake.Dispose();
}
