using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Load;
using Jobs.LocalRun;
using Jobs.Store;
using Jobs.Testing;
using Jobs.Validate;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// The load and validate stages through the real runner on real Delta files and PostgreSQL: validate --after load
/// reconciles the store with the lake and names a row deleted behind the loader's back; two load pods on different
/// chunks at once both succeed; a re-run loads nothing twice.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LoadValidateStageTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateChunk Week = new(new DateOnly(2024, 3, 4), new DateOnly(2024, 3, 11));
    private readonly TempDirectory _lake = new("load-stage-lake");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ValidateAfterLoad_RowDeletedBehindTheLoader_FailsStoreChunksMatchLakeUntilReloaded()
    {
        var pg = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "validate_after_load", fresh: true, Ct);
        var lake = new SyntheticLake(_lake.Path, Week);
        await lake.WriteAsync(Ct);
        var load = await StageRun.RunAsync(new LoadStage(), lake.Args("--pg", pg));
        Assert.True(load.ExitCode == ExitCodes.Success, load.Log);
        Assert.Equal((28L, 28L), (load.Counts["chunks"], load.Counts["chunks_inserted"]));
        var ok = await StageRun.RunAsync(new ValidateStage(), lake.Args("--pg", pg, "--after", "load", "--run-id", "after-load-ok"));
        Assert.True(ok.ExitCode == ExitCodes.Success, ok.Log);
        Assert.Equal(["store_chunks_match_lake", "store_documents_match_lake", "store_vectors_of_served_model"],
            (await lake.ResultsAsync("after-load-ok", Ct)).Where(r => r.Passed).Select(r => r.CheckName).Order(StringComparer.Ordinal));

        var victim = lake.Chunks[7].ChunkId;
        await using (var db = PgDataSource.Create(pg))
        await using (var delete = db.CreateCommand($"DELETE FROM chunks WHERE chunk_id = '{victim}'"))
            Assert.Equal(1, await delete.ExecuteNonQueryAsync(Ct));
        var caught = await StageRun.RunAsync(new ValidateStage(), lake.Args("--pg", pg, "--after", "load", "--run-id", "after-load-deleted"));
        Assert.True(caught.ExitCode == ExitCodes.QualityGate, caught.Log);
        var failed = Assert.Single(await lake.ResultsAsync("after-load-deleted", Ct), r => !r.Passed);
        Assert.Equal(("load", "store_chunks_match_lake", 1L), (failed.Point, failed.CheckName, failed.RowsFailed));
        Assert.Contains("missing " + victim, failed.SampleRows);

        var reload = await StageRun.RunAsync(new LoadStage(), lake.Args("--pg", pg));
        Assert.Equal((1L, 27L, 0L), (reload.Counts["chunks_inserted"], reload.Counts["chunks_unchanged"], reload.Counts["chunks_updated"]));
        Assert.Equal(ExitCodes.Success, (await StageRun.RunAsync(new ValidateStage(), lake.Args("--pg", pg))).ExitCode); // all four points

        // A row edited behind the loader's back (same id, other content) is named as changed.
        var edited = lake.Chunks[3].ChunkId;
        await using (var db = PgDataSource.Create(pg))
        await using (var edit = db.CreateCommand($"UPDATE chunks SET content_hash = 'tampered' WHERE chunk_id = '{edited}'"))
            Assert.Equal(1, await edit.ExecuteNonQueryAsync(Ct));
        var changed = await StageRun.RunAsync(new ValidateStage(), lake.Args("--pg", pg, "--after", "load", "--run-id", "after-load-edited"));
        Assert.True(changed.ExitCode == ExitCodes.QualityGate, changed.Log);
        Assert.Contains("changed " + edited, Assert.Single(await lake.ResultsAsync("after-load-edited", Ct), r => !r.Passed).SampleRows);
    }

    [Fact]
    public async Task Load_TwoPodsOnDifferentChunksAtOnce_BothSucceedAndReconcile()
    {
        var pg = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "load_two_pods", fresh: true, Ct);
        var next = new DateChunk(Week.End, Week.End.AddDays(7));
        var a = new SyntheticLake(_lake.Path, Week, seed: 3);
        var b = new SyntheticLake(_lake.Path, next, seed: 4);
        await a.WriteAsync(Ct);
        await b.WriteAsync(Ct);
        // Both start on a fresh database: they also race on the schema migrations.
        var runs = await Task.WhenAll(StageRun.RunAsync(new LoadStage(), a.Args("--pg", pg)), StageRun.RunAsync(new LoadStage(), b.Args("--pg", pg)));
        Assert.All(runs, r => Assert.True(r.ExitCode == ExitCodes.Success, r.Log));
        Assert.All(runs, r => Assert.Equal(28L, r.Counts["chunks_inserted"]));
        var validations = await Task.WhenAll(StageRun.RunAsync(new ValidateStage(), a.Args("--pg", pg, "--after", "load")),
            StageRun.RunAsync(new ValidateStage(), b.Args("--pg", pg, "--after", "load")));
        Assert.All(validations, v => Assert.True(v.ExitCode == ExitCodes.Success, v.Log));
    }

    public void Dispose() => _lake.Dispose();
}
