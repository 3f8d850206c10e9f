using System.Text.Json;
using Jobs.DeltaTool;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>`jobs-delta cat` over tables a stage wrote: every column as JSON, partition pruning by --where, --limit, --version.</summary>
public sealed class DeltaCatTests : IAsyncLifetime
{
    private readonly TempDirectory _lake = new("delta-cat");

    public async ValueTask InitializeAsync()
    {
        var run = await StageRun.RunAsync(new IngestStage(), ["--start", "1961-01-01", "--end", "2002-01-01", "--lake", _lake.Path,
            "--source", SampleFiles.SotuCsv, "--source", SampleFiles.BadRecords, .. SampleFiles.SotuMapping]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
    }

    private async Task<List<JsonElement>> Cat(string table, long? version = null, long? limit = null, params string[] where)
    {
        using var output = new StringWriter();
        await TableRows.WriteAsync(output, _lake.Combine(table), version, limit, where, TestContext.Current.CancellationToken);
        return [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
    }

    [Fact]
    public async Task Cat_Quarantine_PrintsEveryRowWithEveryColumn()
    {
        var rows = await Cat("quarantine");
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(["stage", "source", "record_ref", "record_id", "reason", "detail", "raw", "run_id", "day"],
            r.EnumerateObject().Select(p => p.Name)));
        Assert.Contains(rows, r => r.GetProperty("reason").GetString() == Jobs.Tables.QuarantineReasons.MissingId && r.GetProperty("day").GetString() == "2001-03-04");
    }

    [Fact]
    public async Task Cat_WhereOnThePartition_ReadsThatDayOnly_AndAnEmptyValueSelectsTheUndated()
    {
        Assert.Equal(["bad-records.jsonl:3", "bad-records.jsonl:5", "bad-records.jsonl:6"],
            (await Cat("quarantine", where: "day=2001-03-04")).Select(r => r.GetProperty("record_ref").GetString()).Order());
        Assert.Equal(["bad-records.jsonl:2", "bad-records.jsonl:4"],
            (await Cat("quarantine", where: "day=")).Select(r => r.GetProperty("record_ref").GetString()).Order());
        var johnson = Assert.Single(await Cat("documents", where: ["day=1964-01-31"]));
        Assert.Equal("sotu-1964-johnson", johnson.GetProperty("doc_id").GetString());
        Assert.Single(await Cat("documents", where: ["doc_id=ok-2", "category="]));
    }

    [Fact]
    public async Task Cat_LimitAndVersion_AreHonoured()
    {
        Assert.Equal(2, (await Cat("documents", limit: 2)).Count);
        Assert.Equal(8, (await Cat("documents", version: 0)).Count);
        await Assert.ThrowsAsync<ArgumentException>(() => Cat("documents", where: "nope=1"));
    }

    public ValueTask DisposeAsync()
    {
        _lake.Dispose();
        return ValueTask.CompletedTask;
    }
}
