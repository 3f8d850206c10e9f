using Jobs.Contracts;
using Jobs.Tables;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

public sealed class IngestStageTests : IDisposable
{
    private readonly TempDirectory _lake = new("lake");

    private Task<StageRunResult> Ingest(string start, string end, params string[] sources) =>
        StageRun.RunAsync(new IngestStage(), ["--start", start, "--end", end, "--lake", _lake.Path, .. sources.SelectMany(s => new[] { "--source", s }), .. SampleFiles.SotuMapping]);

    private async Task<List<T>> Read<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(_lake.Path, spec).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync();

    [Fact]
    public async Task Run_BadRecords_QuarantinesEachWithItsReasonAndCountsReconcile()
    {
        var run = await StageRun.RunAsync(new IngestStage(), ["--start", "2001-01-01", "--end", "2002-01-01", "--lake", _lake.Path, "--source", SampleFiles.BadRecords,
            .. SampleFiles.SotuMapping, "--max-quarantined-share", "1"]); // the sample is mostly bad on purpose

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(7, run.Counts["read"]); // the blank line is a separator, not a record
        Assert.Equal(2, run.Counts["accepted"]);
        Assert.Equal(5, run.Counts["quarantined"]);
        Assert.Equal(["ok-1", "ok-2"], (await Read(LakeTables.Documents)).Select(d => d.DocId).Order());
        var reasons = (await Read(LakeTables.Quarantine)).OrderBy(q => q.RecordRef, StringComparer.Ordinal).Select(q => (q.RecordRef, q.Reason, q.Detail)).ToList();
        Assert.Collection(reasons,
            q => Assert.True(q is ("bad-records.jsonl:2", QuarantineReasons.MalformedRecord, _) && q.Detail.StartsWith("malformed JSON", StringComparison.Ordinal), q.ToString()),
            q => Assert.Equal(("bad-records.jsonl:3", QuarantineReasons.MissingId, "missing id (field 'id')"), q),
            q => Assert.True(q is ("bad-records.jsonl:4", QuarantineReasons.InvalidTimestamp, _) && q.Detail.StartsWith("timestamp 'not-a-date'", StringComparison.Ordinal), q.ToString()),
            q => Assert.Equal(("bad-records.jsonl:5", QuarantineReasons.EmptyText, "empty text (field 'text')"), q),
            q => Assert.Equal(("bad-records.jsonl:6", QuarantineReasons.DuplicateId, "duplicate id 'ok-1' with different content: kept bad-records.jsonl:1 of 2001-03-04 (--duplicate-ids first)"), q));
    }

    [Fact]
    public async Task Run_Twice_LeavesTheSameRows()
    {
        await Ingest("1961-01-01", "2002-01-01", SampleFiles.SotuCsv, SampleFiles.BadRecords);
        var first = (await Read(LakeTables.Documents)).Select(d => (d.DocId, d.ContentHash)).Order().ToList();
        var firstQuarantine = (await Read(LakeTables.Quarantine)).Count;
        var again = await Ingest("1961-01-01", "2002-01-01", SampleFiles.SotuCsv, SampleFiles.BadRecords);

        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Equal(first, (await Read(LakeTables.Documents)).Select(d => (d.DocId, d.ContentHash)).Order().ToList());
        Assert.Equal(firstQuarantine, (await Read(LakeTables.Quarantine)).Count);
        Assert.Equal(8, first.Count);
    }

    [Fact]
    public async Task Run_DateChunks_EachTakesOnlyItsDaysAndTogetherTheyCoverAll()
    {
        var a = await Ingest("1961-01-01", "1963-01-01", SampleFiles.SotuCsv);
        var b = await Ingest("1963-01-01", "1966-01-01", SampleFiles.SotuCsv);

        Assert.Equal((3, 3), (a.Counts["accepted"], a.Counts["other_chunks"]));
        Assert.Equal((3, 3), (b.Counts["accepted"], b.Counts["other_chunks"]));
        var docs = await Read(LakeTables.Documents);
        Assert.Equal(6, docs.Count);
        Assert.Contains(docs, d => d.DocId == "sotu-1964-johnson" && d.Day == new DateOnly(1964, 1, 31) && d.Category == "Democratic");
    }

    [Fact]
    public async Task Run_MissingSource_IsRefusedWithExitThree()
    {
        var run = await Ingest("2001-01-01", "2002-01-01", _lake.Combine("nope.jsonl"));
        Assert.Equal(ExitCodes.InputRefused, run.ExitCode);
        Assert.Contains("nope.jsonl does not exist", run.Log);
    }

    public void Dispose() => _lake.Dispose();
}
