using Jobs.DeltaTool;
using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>Separate writer processes racing on one table, and writers killed with SIGKILL at arbitrary moments.</summary>
public sealed class ProcessConcurrencyTests : IDisposable
{
    private readonly TempDirectory _lake = new("procs");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string Root => _lake.Combine("demo");

    private async Task<List<DemoRow>> ReadAll(long? version = null) =>
        await new DeltaTable<DemoRow>(_lake.Path, DemoRow.Spec).ReadAsync(PartitionPredicate.All, version, Ct).ToListAsync(Ct);

    [Fact]
    public async Task Append_FourProcessesAtOnce_LoseNoCommitAndNoRow()
    {
        const int writers = 4, commits = 15, rows = 10;
        var runs = await Task.WhenAll(Enumerable.Range(0, writers).Select(w =>
            WriterProcess.RunAsync(Ct, "append-demo", _lake.Path, "--writer", $"{w}", "--commits", $"{commits}", "--rows", $"{rows}")));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Error));
        var all = await ReadAll();
        Assert.Equal(writers * commits * rows, all.Count);
        Assert.Equal(writers * commits * rows, all.Select(r => (r.Writer, r.Commit, r.Id)).Distinct().Count());
        var snapshot = await DeltaReader.SnapshotAsync(Root, cancellationToken: Ct);
        Assert.Equal(writers * commits - 1, snapshot.Version);
        Assert.Equal(50, snapshot.CheckpointVersion);
    }

    [Fact]
    public async Task Overwrite_TwoProcessesOnOnePartition_EveryVersionHoldsExactlyOneWholeBatch()
    {
        const int commits = 10, rows = 8;
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(w =>
            WriterProcess.RunAsync(Ct, "append-demo", _lake.Path, "--writer", $"{w}", "--commits", $"{commits}", "--rows", $"{rows}", "--overwrite")));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Error));
        var latest = await DeltaReader.SnapshotAsync(Root, cancellationToken: Ct);
        Assert.Equal(2 * commits - 1, latest.Version);
        for (long v = 0; v <= latest.Version; v++)
        {
            var rowsAtV = await ReadAll(v);
            Assert.Equal(rows, rowsAtV.Count);
            Assert.Single(rowsAtV.Select(r => (r.Writer, r.Commit)).Distinct()); // never a mix of two batches
        }
    }

    [Fact]
    public async Task Writer_KilledWithSigkillAtAnyMoment_LeavesAReadableConsistentTable()
    {
        var killedAfter = new[] { 350, 600, 900, 1300 };
        foreach (var ms in killedAfter)
        {
            using (var writer = WriterProcess.Start("append-demo", _lake.Path, "--writer", $"{ms}", "--commits", "400", "--rows", "5"))
            {
                await Task.Delay(ms, Ct);
                writer.Kill(); // SIGKILL on Linux: no clean-up runs
                await writer.WaitForExitAsync(Ct);
            }
            if (!Directory.Exists(Path.Combine(Root, "_delta_log"))) continue; // killed before the first commit
            var snapshot = await DeltaReader.SnapshotAsync(Root, cancellationToken: Ct);
            var rows = await ReadAll();
            // Every committed version added exactly one complete batch of 5 rows; nothing partial is visible.
            Assert.Equal((snapshot.Version + 1) * 5, rows.Count);
            Assert.All(rows.GroupBy(r => (r.Writer, r.Commit)), g => Assert.Equal(5, g.Count()));
        }
        var finish = await WriterProcess.RunAsync(Ct, "append-demo", _lake.Path, "--writer", "9", "--commits", "12", "--rows", "5");
        Assert.True(finish.ExitCode == 0, finish.Error);
        var final = await DeltaReader.SnapshotAsync(Root, cancellationToken: Ct);
        Assert.Equal((final.Version + 1) * 5, (await ReadAll()).Count);
    }

    [Fact]
    public async Task Show_PrintsTheSummaryAndRefusesUnsupportedTables()
    {
        Assert.Equal(0, (await WriterProcess.RunAsync(Ct, "append-demo", _lake.Path, "--commits", "3", "--rows", "4")).ExitCode);
        var show = await WriterProcess.RunAsync(Ct, "show", Root);
        Assert.Equal(0, show.ExitCode);
        var summary = System.Text.Json.JsonDocument.Parse(show.Output).RootElement;
        Assert.Equal(2, summary.GetProperty("version").GetInt64());
        Assert.Equal(12, summary.GetProperty("numRecords").GetInt64());
        Assert.Equal(3, summary.GetProperty("numFiles").GetInt32());
        Assert.Equal("part", summary.GetProperty("partitionColumns")[0].GetString());
        Assert.Equal(5, summary.GetProperty("schema").GetProperty("fields").GetArrayLength());

        var refused = await WriterProcess.RunAsync(Ct, "show", Path.Combine(RepoPaths.SharedTestData, "delta", "spark-golden", "dv-partitioned-with-checkpoint", "delta"));
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("deletionVectors", refused.Error);
    }

    public void Dispose() => _lake.Dispose();
}
