using Jobs.Contracts;
using Jobs.LocalRun;
using Jobs.Store;
using Jobs.Testing;
using Npgsql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// The loader against real PostgreSQL + pgvector: staging + one applying transaction rewrites only what changed and
/// keeps themes, a killed load leaves the previous state visible and a re-run completes, two loads of different
/// chunks run at once, and parallel schema starts apply each migration once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StoreLoadTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateChunk Week = new(new DateOnly(2024, 3, 4), new DateOnly(2024, 3, 11));
    private readonly TempDirectory _lake = new("load-lake");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<NpgsqlDataSource> StoreAsync(string name, string? applicationName = null)
    {
        var connection = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, name, fresh: true, Ct);
        if (applicationName is not null) connection = new NpgsqlConnectionStringBuilder(connection) { ApplicationName = applicationName }.ConnectionString;
        var dataSource = PgDataSource.Create(connection);
        await new PgSchema(dataSource, SyntheticLake.Model).EnsureAsync(Ct);
        return dataSource;
    }

    private static async Task<Dictionary<string, (string Xmin, string? Theme)>> RowVersionsAsync(NpgsqlDataSource db)
    {
        var rows = new Dictionary<string, (string, string?)>();
        await using var cmd = db.CreateCommand("SELECT chunk_id, xmin::text, theme_id FROM chunks");
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) rows[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        return rows;
    }

    private static RowSetDigest LakeDigest(SyntheticLake lake) =>
        lake.Chunks.Where(c => lake.Embeddings.Any(e => e.ChunkId == c.ChunkId)).Aggregate(default(RowSetDigest), (d, c) => d.Add(c.ChunkId, c.ContentHash));

    [Fact]
    public async Task Replace_RerunAndEdits_RewritesOnlyChangedRowsAndKeepsThemes()
    {
        await using var db = await StoreAsync("load_changes");
        var loader = new DateRangeLoader(db);
        var lake = new SyntheticLake(_lake.Path, Week);
        var first = await loader.ReplaceAsync(Week.Start, Week.End, lake.StoredDocuments(), lake.StoredChunks(), Ct);
        Assert.Equal(new ApplyCounts(28, 28, 0, 0), first.Chunks);
        Assert.Equal(new ApplyCounts(14, 14, 0, 0), first.Documents);
        await using (var theme = db.CreateCommand("UPDATE chunks SET theme_id = 't1'")) await theme.ExecuteNonQueryAsync(Ct);
        var before = await RowVersionsAsync(db);

        var again = await loader.ReplaceAsync(Week.Start, Week.End, lake.StoredDocuments(), lake.StoredChunks(), Ct);
        Assert.Equal(new ApplyCounts(28, 0, 0, 0), again.Chunks);
        Assert.Equal(new ApplyCounts(14, 0, 0, 0), again.Documents);
        Assert.Equal(before, await RowVersionsAsync(db)); // same xmin: not one row rewritten; themes kept

        // Edits: one document's text, another's category (its chunks' filter column), one chunk gone, one new.
        lake.Documents[0].Text += " Corrected.";
        lake.Documents[0].ContentHash = ContentHash.Of(lake.Documents[0].Text);
        lake.Documents[3].Category = "moved";
        var gone = lake.Chunks[10].ChunkId;
        lake.Chunks.RemoveAt(10);
        var added = lake.Chunks[0];
        lake.Chunks.Add(new Jobs.Tables.ChunkRow
        {
            ChunkId = "new-chunk", DocId = added.DocId, Day = added.Day, Ordinal = 2, Text = "A third passage.", TokenCount = 5, ContentHash = ContentHash.Of("A third passage."),
        });
        lake.Embeddings.Add(new Jobs.Tables.EmbeddingRow { ChunkId = "new-chunk", Model = SyntheticLake.Model.Id, Embedding = SyntheticLake.UnitVector(new Random(1), 384) });
        var edited = await loader.ReplaceAsync(Week.Start, Week.End, lake.StoredDocuments(), lake.StoredChunks(), Ct);
        Assert.Equal(new ApplyCounts(28, 1, 2, 1), edited.Chunks);
        Assert.Equal(new ApplyCounts(14, 0, 2, 0), edited.Documents);

        var after = await RowVersionsAsync(db);
        var moved = lake.Chunks.Where(c => c.DocId == lake.Documents[3].DocId).Select(c => c.ChunkId).ToHashSet();
        Assert.DoesNotContain(gone, after.Keys);
        Assert.Null(after["new-chunk"].Theme);
        Assert.All(moved, id => Assert.Equal("t1", after[id].Theme));          // metadata change: updated, theme kept
        Assert.All(after.Keys.Where(id => id != "new-chunk" && !moved.Contains(id)), id => Assert.Equal(before[id], after[id]));
        Assert.Equal(LakeDigest(lake), await new StoreAudit(db).DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct));
    }

    [Fact]
    public async Task Replace_BackendKilledMidCopy_PreviousStateStaysVisibleAndRerunCompletes()
    {
        await using var db = await StoreAsync("load_killed", applicationName: "loader-under-test");
        var loader = new DateRangeLoader(db);
        var v1 = new SyntheticLake(_lake.Path, Week);
        await loader.ReplaceAsync(Week.Start, Week.End, v1.StoredDocuments(), v1.StoredChunks(), Ct);
        var audit = new StoreAudit(db);
        var v1Digest = await audit.DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct);

        var v2 = new SyntheticLake(_lake.Path, Week, seed: 99); // every chunk different
        var midway = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var load = loader.ReplaceAsync(Week.Start, Week.End, v2.StoredDocuments(), Paused(v2.StoredChunks(), 10, midway, release), Ct);
        await midway.Task.WaitAsync(Ct);
        Assert.Equal(v1Digest, await audit.DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct)); // readers see v1 during the load

        // The loader dies: its session ends mid-COPY, as when the pod is killed.
        await using (var kill = db.CreateCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'loader-under-test' AND query LIKE 'COPY load_chunks%'"))
            Assert.Equal(1L, await kill.ExecuteScalarAsync(Ct));
        release.SetResult();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => load);
        Assert.True(PgTransience.IsTransient(failure), failure.ToString());
        Assert.Equal(v1Digest, await audit.DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct));

        var rerun = await loader.ReplaceAsync(Week.Start, Week.End, v2.StoredDocuments(), v2.StoredChunks(), Ct);
        Assert.Equal((28L, 28L), (rerun.Chunks.Inserted, rerun.Chunks.Deleted));
        Assert.Equal(LakeDigest(v2), await audit.DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct));
    }

    [Fact]
    public async Task Replace_TwoChunksAtOnce_BothSucceed()
    {
        await using var db = await StoreAsync("load_parallel");
        var next = new DateChunk(Week.End, Week.End.AddDays(7));
        var a = new SyntheticLake(_lake.Path, Week, seed: 1);
        var b = new SyntheticLake(_lake.Path, next, seed: 2);
        // Both loads are held halfway through their COPY until the other one is there too.
        var arrived = 0;
        var both = new TaskCompletionSource();
        void Arrive()
        {
            if (Interlocked.Increment(ref arrived) == 2) both.SetResult();
        }
        var results = await Task.WhenAll(
            new DateRangeLoader(db).ReplaceAsync(Week.Start, Week.End, a.StoredDocuments(), Paused(a.StoredChunks(), 14, Arrive, both.Task), Ct),
            new DateRangeLoader(db).ReplaceAsync(next.Start, next.End, b.StoredDocuments(), Paused(b.StoredChunks(), 14, Arrive, both.Task), Ct));
        Assert.All(results, r => Assert.Equal(new ApplyCounts(28, 28, 0, 0), r.Chunks));
        var audit = new StoreAudit(db);
        Assert.Equal(LakeDigest(a), await audit.DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct));
        Assert.Equal(LakeDigest(b), await audit.DigestAsync(StoreAudit.Table.Chunks, next.Start, next.End, Ct));
    }

    [Fact]
    public async Task EnsureSchema_ParallelStarts_ApplyEachMigrationOnce()
    {
        var connection = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "schema_parallel", fresh: true, Ct);
        var starts = Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var db = PgDataSource.Create(connection);
            return await new PgSchema(db, SyntheticLake.Model).EnsureAsync(Ct);
        });
        var applied = (await Task.WhenAll(starts)).SelectMany(v => v).Order().ToList();
        Assert.Equal(Jobs.Store.Migrations.SchemaMigrations.All.Select(m => m.Version), applied);
        await using var check = PgDataSource.Create(connection);
        await using var cmd = check.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)applied.Count, await cmd.ExecuteScalarAsync(Ct));
        Assert.Empty(await new PgSchema(check, SyntheticLake.Model).EnsureAsync(Ct));
    }

    [Fact]
    public async Task EnsureSchema_StoreFromBeforeMigrations_IsAdoptedWithItsRows()
    {
        var connection = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "schema_legacy", fresh: true, Ct);
        await using var db = PgDataSource.Create(connection);
        // The DDL the loader ran before migrations existed (no schema_migrations, no content_hash), with one document.
        var legacy = Jobs.Store.Migrations.SchemaMigrations.All[0].Sql(new(384, 16, 64));
        await using (var cmd = db.CreateCommand(legacy + "; INSERT INTO documents VALUES ('d', '2024-03-04', now(), 't', 'c', 's', 'x')"))
            await cmd.ExecuteNonQueryAsync(Ct);
        Assert.Equal([1, 2, 3, 4], await new PgSchema(db, SyntheticLake.Model).EnsureAsync(Ct));
        await using var count = db.CreateCommand("SELECT count(*) FROM documents WHERE content_hash IS NULL");
        Assert.Equal(1L, await count.ExecuteScalarAsync(Ct));
    }

    /// <summary>Yields <paramref name="after"/> rows, signals, waits for <paramref name="release"/>, then yields the rest.</summary>
    internal static async IAsyncEnumerable<T> Paused<T>(IAsyncEnumerable<T> rows, int after, TaskCompletionSource midway, TaskCompletionSource release)
    {
        await foreach (var row in Paused(rows, after, midway.SetResult, release.Task)) yield return row;
    }

    internal static async IAsyncEnumerable<T> Paused<T>(IAsyncEnumerable<T> rows, int after, Action arrive, Task release)
    {
        var n = 0;
        await foreach (var row in rows)
        {
            if (n++ == after)
            {
                arrive();
                await release;
            }
            yield return row;
        }
    }

    public void Dispose() => _lake.Dispose();
}
