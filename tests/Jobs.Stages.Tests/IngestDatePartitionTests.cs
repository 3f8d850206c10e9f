using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// A date-partitioned source (a path template) costs what the chunk covers, not the history: a run over one day of
/// 120 lists and reads that day's files only, counted in files and bytes.
/// </summary>
public sealed class IngestDatePartitionTests : IDisposable
{
    private static readonly DateOnly First = new(2024, 1, 1);
    private const int Days = 120;
    private readonly TempDirectory _dir = new("ingest-partitioned");

    private string Lake => _dir.Combine("lake");

    private long WriteDays(Func<DateOnly, string> folder)
    {
        long total = 0;
        for (var d = 0; d < Days; d++)
        {
            var day = First.AddDays(d);
            var dir = Directory.CreateDirectory(_dir.Combine(folder(day))).FullName;
            var lines = Enumerable.Range(0, 5).Select(i =>
                $$"""{"id":"{{day:yyyyMMdd}}-{{i}}","date":"{{day:yyyy-MM-dd}}T{{10 + i}}:00:00Z","text":"Record {{i}} of {{day:yyyy-MM-dd}}."}""");
            var path = Path.Combine(dir, "part-0.jsonl");
            File.WriteAllLines(path, lines);
            File.WriteAllText(Path.Combine(dir, "_SUCCESS"), ""); // a marker, not a source file
            total += new FileInfo(path).Length;
        }
        return total;
    }

    private Task<StageRunResult> Ingest(string start, string end, string source) =>
        StageRun.RunAsync(new IngestStage(), ["--start", start, "--end", end, "--lake", Lake, "--source", source, "--time-field", "date"]);

    [Theory]
    [InlineData("incoming/{yyyy}/{MM}/{dd}/*.jsonl")]
    [InlineData("incoming/day={yyyy}-{MM}-{dd}")]
    public async Task Run_OneDayOfATemplatedSource_ReadsOnlyThatDaysFiles(string template)
    {
        var total = WriteDays(day => SourceFiles.ForDay(template.Replace("/*.jsonl", "", StringComparison.Ordinal), day));
        var oneDay = new FileInfo(Path.Combine(_dir.Combine(SourceFiles.ForDay(template.Replace("/*.jsonl", "", StringComparison.Ordinal), new DateOnly(2024, 2, 10))), "part-0.jsonl")).Length;

        var run = await Ingest("2024-02-10", "2024-02-11", _dir.Combine(template));

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((1L, oneDay), (run.Counts["files"], run.Counts["bytes"]));
        Assert.Equal((5L, 5L, 0L), (run.Counts["read"], run.Counts["accepted"], run.Counts["other_chunks"]));
        Assert.True(total >= Days * oneDay * 0.9, $"the history is {total} bytes");
        Assert.Equal(["20240210-0", "20240210-1", "20240210-2", "20240210-3", "20240210-4"],
            (await new DeltaTable<DocumentRow>(Lake, LakeTables.Documents).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).Select(d => d.DocId).Order());

        var week = await Ingest("2024-02-05", "2024-02-12", _dir.Combine(template));
        Assert.Equal((7L, 7 * oneDay, 35L), (week.Counts["files"], week.Counts["bytes"], week.Counts["accepted"]));
    }

    [Fact]
    public async Task Run_UndatedOrMisfiledRecordOfATemplatedSource_IsQuarantinedOnItsFoldersDay()
    {
        var dir = Directory.CreateDirectory(_dir.Combine("incoming", "2024", "03", "04")).FullName;
        File.WriteAllLines(Path.Combine(dir, "a.jsonl"),
        [
            """{"id":"ok","date":"2024-03-04","text":"fine"}""",
            """{"id":"undated","text":"no date"}""",
            """{"id":"misfiled","date":"2024-05-01","text":"in the wrong day's folder"}""",
        ]);
        var run = await StageRun.RunAsync(new IngestStage(), ["--start", "2024-03-04", "--end", "2024-03-05", "--lake", Lake,
            "--source", _dir.Combine("incoming/{yyyy}/{MM}/{dd}"), "--time-field", "date", "--max-quarantined-share", "1"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var quarantine = await new DeltaTable<QuarantineRow>(Lake, LakeTables.Quarantine).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([("2024/03/04/a.jsonl:2", QuarantineReasons.MissingTimestamp, new DateOnly(2024, 3, 4)), ("2024/03/04/a.jsonl:3", QuarantineReasons.OutsidePartition, new DateOnly(2024, 3, 4))],
            quarantine.Select(q => (q.RecordRef, q.Reason, q.Day!.Value)).Order());
        Assert.Equal(0, run.Counts["quarantined_undated"]);
    }

    [Fact]
    public void ForDay_FillsEveryToken() =>
        Assert.Equal("in/2024/03/04/day=2024-03-04/*.jsonl", SourceFiles.ForDay("in/{yyyy}/{MM}/{dd}/day={yyyy}-{MM}-{dd}/*.jsonl", new DateOnly(2024, 3, 4)));

    public void Dispose() => _dir.Dispose();
}
