using System.Text.Json;
using Jobs.DeltaTool;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
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

    [Fact]
    public async Task Cat_EmbeddingsAndDeadLetters_PrintVectorsAndCauses()
    {
        var day = new DateOnly(2024, 1, 2);
        var ct = TestContext.Current.CancellationToken;
        var vector = new EmbeddingRow { ChunkId = "c-1", DocId = "d-1", ContentHash = "h-1", Model = "m", Dimension = 3, Embedding = [0.6f, 0.8f, 0f], RunId = "r", Day = day };
        await new DeltaTable<EmbeddingRow>(_lake.Path, LakeTables.Embeddings).OverwriteAsync(new[] { vector }.ToAsyncEnumerable(), PartitionPredicate.All, ct);
        var dead = new DeadLetterRow
        {
            ChunkId = "c-2", DocId = "d-1", ContentHash = "h-2", Model = "m", ErrorClass = "http_500", Message = "server error",
            Attempts = 4, FirstSeen = DateTime.UnixEpoch, LastSeen = DateTime.UnixEpoch.AddSeconds(9), RunId = "r", Day = day,
        };
        await new DeltaTable<DeadLetterRow>(_lake.Path, LakeTables.DeadLetters).OverwriteAsync(new[] { dead }.ToAsyncEnumerable(), PartitionPredicate.All, ct);

        var e = Assert.Single(await Cat(LakeTables.Embeddings.Name, where: "day=2024-01-02"));
        Assert.Equal(("c-1", "m", 3), (e.GetProperty("chunk_id").GetString(), e.GetProperty("model").GetString(), e.GetProperty("dimension").GetInt32()));
        Assert.Equal([0.6f, 0.8f, 0f], e.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()));
        var d = Assert.Single(await Cat(LakeTables.DeadLetters.Name));
        Assert.Equal(("c-2", "http_500", "server error", 4), (d.GetProperty("chunk_id").GetString(), d.GetProperty("error_class").GetString(),
            d.GetProperty("message").GetString(), d.GetProperty("attempts").GetInt32()));
    }

    public ValueTask DisposeAsync()
    {
        _lake.Dispose();
        return ValueTask.CompletedTask;
    }
}
