using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// The same ids on several days: the duplicate rule (--duplicate-ids) gives the same documents and quarantine
/// whether the days are ingested in one run, one day at a time in any order, or all at once in parallel.
/// </summary>
public sealed class CrossChunkDuplicateTests : IDisposable
{
    private readonly TempDirectory _dir = new("dup-ids");

    // a: days 1 and 2; b: days 1, 2 and 3 (the winner changes as days arrive); c: only day 2; d: an exact duplicate on
    // day 2 (counted, dropped); e: two versions on day 2, the later-read one dated earlier.
    private static readonly string[] Lines =
    [
        """{"id":"a","timestamp":"2024-03-01T10:00:00Z","text":"alpha first version"}""",
        """{"id":"b","timestamp":"2024-03-01T11:00:00Z","text":"bravo on the first"}""",
        """{"id":"a","timestamp":"2024-03-02T09:00:00Z","text":"alpha second version"}""",
        """{"id":"b","timestamp":"2024-03-02T11:00:00Z","text":"bravo on the second"}""",
        """{"id":"c","timestamp":"2024-03-02T12:00:00Z","text":"charlie alone"}""",
        """{"id":"d","timestamp":"2024-03-02T13:00:00Z","text":"delta twice"}""",
        """{"id":"d","timestamp":"2024-03-02T13:00:00Z","text":"delta twice"}""",
        """{"id":"e","timestamp":"2024-03-02T18:00:00Z","text":"echo read first, dated later"}""",
        """{"id":"e","timestamp":"2024-03-02T08:00:00Z","text":"echo read second, dated earlier"}""",
        """{"id":"b","timestamp":"2024-03-03T11:00:00Z","text":"bravo on the third"}""",
    ];

    private static readonly string[] Days = ["2024-03-01", "2024-03-02", "2024-03-03"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Source(string lake, string[]? lines = null)
    {
        var path = Path.Combine(_dir.Path, Path.GetFileName(lake) + "-src", "records.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines ?? Lines);
        return path;
    }

    private string NewLake(string name) => _dir.Combine(name);

    private static async Task<StageRunResult> IngestAsync(string lake, string source, string start, string end, string rule = "first")
    {
        var run = await StageRun.RunAsync(new IngestStage(), "--start", start, "--end", end, "--lake", lake, "--source", source,
            "--duplicate-ids", rule, "--max-quarantined-share", "1");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        return run;
    }

    private static Task<StageRunResult> DayAsync(string lake, string source, string day, string rule = "first") =>
        IngestAsync(lake, source, day, DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), rule);

    /// <summary>Both tables as sorted text, run ids left out (each run stamps its own).</summary>
    private static async Task<(List<string> Documents, List<string> Quarantine)> ContentAsync(string lake)
    {
        var docs = await new DeltaTable<DocumentRow>(lake, LakeTables.Documents).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);
        var quarantine = await new DeltaTable<QuarantineRow>(lake, LakeTables.Quarantine).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);
        return (docs.Select(d => $"{DayPartition.Format(d.Day)} {d.DocId} {d.Timestamp:O} {d.Title} {d.Category} {d.Source} {d.ContentHash} {d.Text}").Order(StringComparer.Ordinal).ToList(),
            quarantine.Select(q => $"{DayPartition.Format(q.Day)} {q.RecordRef} {q.RecordId} {q.Reason} {q.Stage} {q.Source} | {q.Detail} | {q.Raw}").Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Ingest_OneRunOverThreeDays_KeepsTheFirstOfEachIdAndNamesItInEveryLoser()
    {
        var lake = NewLake("one");
        var run = await IngestAsync(lake, Source(lake), "2024-03-01", "2024-03-04");

        Assert.Equal((10L, 5L, 4L, 1L), (run.Counts["read"], run.Counts["accepted"], run.Counts["quarantined"], run.Counts["duplicates"]));
        var (docs, quarantine) = await ContentAsync(lake);
        Assert.Equal(["2024-03-01 a", "2024-03-01 b", "2024-03-02 c", "2024-03-02 d", "2024-03-02 e"], docs.Select(d => string.Join(' ', d.Split(' ').Take(2))));
        Assert.Contains(docs, d => d.EndsWith("echo read second, dated earlier", StringComparison.Ordinal));
        Assert.Equal(
        [
            "2024-03-02 records.jsonl:3 a duplicate_id ingest records.jsonl | duplicate id 'a' with different content: kept records.jsonl:1 of 2024-03-01 (--duplicate-ids first)",
            "2024-03-02 records.jsonl:4 b duplicate_id ingest records.jsonl | duplicate id 'b' with different content: kept records.jsonl:2 of 2024-03-01 (--duplicate-ids first)",
            "2024-03-02 records.jsonl:8 e duplicate_id ingest records.jsonl | duplicate id 'e' with different content: kept records.jsonl:9 of 2024-03-02 (--duplicate-ids first)",
            "2024-03-03 records.jsonl:10 b duplicate_id ingest records.jsonl | duplicate id 'b' with different content: kept records.jsonl:2 of 2024-03-01 (--duplicate-ids first)",
        ], quarantine.Select(q => q[..q.LastIndexOf(" | ", StringComparison.Ordinal)]));
        Assert.Contains(quarantine, q => q.StartsWith("2024-03-02 records.jsonl:8", StringComparison.Ordinal) && q.Contains("\"text\":\"echo read first, dated later\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("first", new[] { 0, 1, 2 })]
    [InlineData("first", new[] { 2, 1, 0 })]
    [InlineData("first", new[] { 1, 2, 0 })]
    [InlineData("last", new[] { 0, 1, 2 })]
    [InlineData("last", new[] { 2, 0, 1 })]
    public async Task Ingest_DayByDayInAnyOrder_EndsAsOneRunOverTheRange(string rule, int[] order)
    {
        var whole = NewLake("whole");
        await IngestAsync(whole, Source(whole), "2024-03-01", "2024-03-04", rule);
        var daily = NewLake("daily");
        var source = Source(daily);
        foreach (var i in order) await DayAsync(daily, source, Days[i], rule);

        var (expectedDocs, expectedQuarantine) = await ContentAsync(whole);
        var (docs, quarantine) = await ContentAsync(daily);
        Assert.Equal(expectedDocs, docs);
        Assert.Equal(expectedQuarantine, quarantine);
    }

    [Fact]
    public async Task Ingest_DaysInParallel_EndsAsOneRunOverTheRange()
    {
        var whole = NewLake("whole");
        await IngestAsync(whole, Source(whole), "2024-03-01", "2024-03-04");
        var expected = await ContentAsync(whole);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var parallel = NewLake($"parallel-{attempt}");
            var source = Source(parallel);
            await Task.WhenAll(Days.Select(day => Task.Run(() => DayAsync(parallel, source, day), Ct)));

            var (docs, quarantine) = await ContentAsync(parallel);
            Assert.Equal(expected.Documents, docs);
            Assert.Equal(expected.Quarantine, quarantine);
        }
    }

    [Fact]
    public async Task Rerun_WinnerRemovedFromItsSource_GivesTheIdBackToTheOtherDay()
    {
        var lake = NewLake("rerun");
        var source = Source(lake);
        await IngestAsync(lake, source, "2024-03-01", "2024-03-04");
        File.WriteAllLines(source, Lines.Where((_, i) => i != 0)); // a's first version is gone: line numbers shift, the rule still holds

        var rerun = await DayAsync(lake, source, "2024-03-01");

        Assert.Equal((1L, 1L), (rerun.Counts["duplicate_ids_promoted"], rerun.Counts["duplicate_ids_other_days"])); // a's second version, on day 2
        var (docs, quarantine) = await ContentAsync(lake);
        Assert.Contains(docs, d => d.StartsWith("2024-03-02 a ", StringComparison.Ordinal) && d.EndsWith("alpha second version", StringComparison.Ordinal));
        Assert.DoesNotContain(quarantine, q => q.Contains(" a duplicate_id ", StringComparison.Ordinal));
        // b's losers still name b's winner, which the re-run read again at its new line.
        Assert.All(quarantine.Where(q => q.Contains(" b duplicate_id ", StringComparison.Ordinal)), q => Assert.Contains("kept records.jsonl:1 of 2024-03-01", q));
    }

    [Fact]
    public async Task Ingest_NewWinnerDemotesAnotherDay_NamesThatDayInItsResult_AlsoOnARetryWithNothingLeftToMove()
    {
        var lake = NewLake("changed-days");
        var source = Source(lake);
        await DayAsync(lake, source, "2024-03-01", "last");
        var resultFile = Path.Combine(_dir.Path, "xcom", "return.json");

        // Day 2's records of a and b win under "last": day 1's documents change, and the result names day 1.
        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2024-03-02", "--end", "2024-03-03", "--lake", lake, "--source", source,
            "--duplicate-ids", "last", "--max-quarantined-share", "1", "--run-id", "run-7", "--result-file", resultFile);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((2L, 1L), (run.Counts["duplicate_ids_demoted"], run.Counts["duplicate_ids_other_days"]));
        Assert.Equal(["2024-03-01"], ChangedDays(resultFile));
        Assert.Contains("run the later stages for them: 2024-03-01", run.Log, StringComparison.Ordinal);

        // A retry of the same run (a pod that died after those commits): nothing is left to move, and day 1 is still named.
        File.Delete(resultFile);
        var retry = await StageRun.RunAsync(new IngestStage(), "--start", "2024-03-02", "--end", "2024-03-03", "--lake", lake, "--source", source,
            "--duplicate-ids", "last", "--max-quarantined-share", "1", "--run-id", "run-7", "--result-file", resultFile);
        Assert.True(retry.ExitCode == ExitCodes.Success, retry.Log);
        Assert.Equal(0L, retry.Counts["duplicate_ids_demoted"]);
        Assert.Equal(["2024-03-01"], ChangedDays(resultFile));

        // Another run over the same day changes nothing elsewhere and names no day.
        var later = await StageRun.RunAsync(new IngestStage(), "--start", "2024-03-02", "--end", "2024-03-03", "--lake", lake, "--source", source,
            "--duplicate-ids", "last", "--max-quarantined-share", "1", "--run-id", "run-8", "--result-file", resultFile);
        Assert.True(later.ExitCode == ExitCodes.Success, later.Log);
        Assert.Empty(ChangedDays(resultFile));
        using var result = System.Text.Json.JsonDocument.Parse(File.ReadAllText(resultFile));
        Assert.Equal(("ingest", "run-8", "2024-03-02", "2024-03-03"), (result.RootElement.GetProperty("stage").GetString(), result.RootElement.GetProperty("run_id").GetString(),
            result.RootElement.GetProperty("start").GetString(), result.RootElement.GetProperty("end").GetString()));
        Assert.Equal(later.Counts["accepted"], result.RootElement.GetProperty("counts").GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task Ingest_ChunksOfOneRunSharingAnId_NameNoDayWhenNothingMoved_AndARetryNamesNoneEither()
    {
        // One DAG run, two chunks (days 1 and 2), the same run id: under "first" day 1 keeps a and b, and day 2's
        // records of them are its own chunk's quarantine. Nothing of another chunk's days changes, on any try.
        var lake = NewLake("same-run");
        var source = Source(lake);
        var resultFile = Path.Combine(_dir.Path, "same-run-xcom", "return.json");
        foreach (var (start, end) in new[] { ("2024-03-01", "2024-03-02"), ("2024-03-02", "2024-03-03"), ("2024-03-01", "2024-03-02") })
        {
            var run = await StageRun.RunAsync(new IngestStage(), "--start", start, "--end", end, "--lake", lake, "--source", source,
                "--duplicate-ids", "first", "--max-quarantined-share", "1", "--run-id", "run-9", "--result-file", resultFile);
            Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
            Assert.Empty(ChangedDays(resultFile));
        }
    }

    [Fact]
    public async Task Ingest_ResultFileThatCannotBeWritten_IsAUsageErrorBeforeAnyWork()
    {
        var lake = NewLake("no-result");
        var notAFolder = Path.Combine(_dir.Path, "a-file");
        await File.WriteAllTextAsync(notAFolder, "", Ct);
        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2024-03-01", "--end", "2024-03-02", "--lake", lake, "--source", Source(lake),
            "--result-file", Path.Combine(notAFolder, "return.json"));
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--result-file", run.Log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(lake, "documents")), "nothing may be written before the result file is known to be writable");
    }

    private static List<string?> ChangedDays(string resultFile)
    {
        using var result = System.Text.Json.JsonDocument.Parse(File.ReadAllText(resultFile));
        return [.. result.RootElement.GetProperty("changed_days").EnumerateArray().Select(d => d.GetString())];
    }

    public void Dispose() => _dir.Dispose();
}
