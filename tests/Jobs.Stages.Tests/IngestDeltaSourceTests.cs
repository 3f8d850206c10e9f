using System.Globalization;
using System.Text.Json.Serialization;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// Delta tables as an ingest source, read through Jobs.Lake's own reader: tables written here (day-partitioned over
/// 1,000 days, unpartitioned with timestamp stats) and the real Spark and delta-rs tables of ../shared/testdata. A
/// run opens only the files its chunk can hold (partition pruning, min/max skipping), reconciles with the log's
/// numRecords, names rows <c>table/file:row N</c>, and refuses (exit 3) a table needing a reader feature Jobs.Lake lacks.
/// </summary>
public sealed class IngestDeltaSourceTests : IDisposable
{
    private static readonly DateOnly FirstDay = new(2021, 1, 1);
    private readonly TempDirectory _dir = new("ingest-delta");
    private string Lake => _dir.Combine("lake");
    private string Sources => _dir.Combine("sources");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class EventRow
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("ts")] public DateTime? Ts { get; set; }
        [JsonPropertyName("body")] public string? Body { get; set; }
        [JsonPropertyName("topic")] public string? Topic { get; set; }
        [JsonIgnore] public DateOnly? Day { get; set; }
    }

    internal static readonly TableSpec<EventRow> ByDay = new("events", [new PartitionColumn("day", "date")],
        r => new Dictionary<string, string?> { ["day"] = r.Day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
        (r, v) => r.Day = v["day"] is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null);

    private static readonly TableSpec<EventRow> Unpartitioned = new("stream", [], _ => new Dictionary<string, string?>(), (_, _) => { });

    internal static EventRow Event(int day, int n) => new()
    {
        Id = $"e-{day}-{n}", Ts = FirstDay.AddDays(day).ToDateTime(new TimeOnly(1 + (7 * n % 22), 30), DateTimeKind.Utc),
        Body = $"Report {n} of day {day}: the committee reviewed the budget and the schedule.", Topic = $"topic-{n % 3}", Day = FirstDay.AddDays(day),
    };

    private static string Day(int day) => FirstDay.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private Task<StageRunResult> Ingest(string start, string end, params string[] args) =>
        StageRun.RunAsync(new IngestStage(), ["--start", start, "--end", end, "--lake", Lake, "--id-field", "id", "--time-field", "ts", "--text-field", "body",
            "--category-field", "topic", .. args]);

    private async Task<List<T>> Read<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(Lake, spec).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);

    private static string Shared(string table) => Path.Combine(RepoPaths.SharedTestData, "delta", table);

    [Fact]
    public async Task Run_OneDayOfAThousandDayTable_OpensOnlyThatDaysFile()
    {
        // 1,000 days, 3 events a day, one file per day partition, in two commits (replayed in order).
        var table = new DeltaTable<EventRow>(Sources, ByDay);
        await table.AppendAsync(Enumerable.Range(0, 500).SelectMany(d => Enumerable.Range(0, 3).Select(n => Event(d, n))).ToAsyncEnumerable(), cancellationToken: Ct);
        await table.AppendAsync(Enumerable.Range(500, 500).SelectMany(d => Enumerable.Range(0, 3).Select(n => Event(d, n))).ToAsyncEnumerable(), cancellationToken: Ct);
        var snapshot = await table.SnapshotAsync(cancellationToken: Ct);
        Assert.Equal(1000, snapshot.Files.Count);
        var totalBytes = snapshot.Files.Sum(f => f.Size);

        var run = await Ingest(Day(730), Day(731), "--source", table.Root); // the format is detected from _delta_log

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var dayFile = snapshot.Files.Single(f => f.PartitionValues["day"] == Day(730));
        Assert.Equal((1L, dayFile.Size), (run.Counts["files"], run.Counts["bytes"]));
        Assert.Equal((3L, 3L, 3L), (run.Counts["input"], run.Counts["read"], run.Counts["accepted"]));
        var docs = await Read(LakeTables.Documents);
        Assert.Equal(["e-730-0", "e-730-1", "e-730-2"], docs.Select(d => d.DocId).Order());
        Assert.All(docs, d => Assert.Equal($"events/{PartitionPaths.FromLogPath(dayFile.Path)}", d.Source));
        Assert.Equal("topic-1", docs.Single(d => d.DocId == "e-730-1").Category);
        Assert.Contains("1000 live files", run.Log);
        Assert.Contains("999 pruned by partition", run.Log);

        // A week opens seven files, whatever the length of the history.
        var week = await Ingest(Day(100), Day(107), "--source", table.Root, "--format", "delta");
        Assert.True(week.ExitCode == ExitCodes.Success, week.Log);
        Assert.Equal((7L, 21L), (week.Counts["files"], week.Counts["accepted"]));
        Assert.Equal(snapshot.Files.Where(f => string.CompareOrdinal(f.PartitionValues["day"], Day(100)) >= 0 && string.CompareOrdinal(f.PartitionValues["day"], Day(107)) < 0).Sum(f => f.Size),
            week.Counts["bytes"]);

        var logBytes = new DirectoryInfo(Path.Combine(table.Root, "_delta_log")).EnumerateFiles().Sum(f => f.Length);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"1 day of 1000: {run.Counts["bytes"]} of {totalBytes} data bytes ({(double)run.Counts["bytes"] / totalBytes:P3}), 1 of {snapshot.Files.Count} files; 7 days: {week.Counts["bytes"]} bytes; the log replayed by every run: {logBytes} bytes");
    }

    [Fact]
    public async Task Run_UnpartitionedTable_SkipsFilesByTimestampStatsButReadsFilesWithNullTimestamps()
    {
        // Five days of 4 events, one file per day (rows sorted by time, 4 rows per file); then a file holding an
        // event of day 2, an event without timestamp and one without id.
        var table = new DeltaTable<EventRow>(Sources, Unpartitioned) { MaxRowsPerFile = 4 };
        await table.AppendAsync(Enumerable.Range(0, 5).SelectMany(d => Enumerable.Range(0, 4).Select(n => Event(d, n)))
            .OrderBy(e => e.Ts).ToAsyncEnumerable(), cancellationToken: Ct);
        await table.AppendAsync(new[]
        {
            Event(2, 9),
            new EventRow { Id = "no-time", Ts = null, Body = "An event whose time was lost." },
            new EventRow { Id = null, Ts = FirstDay.AddDays(2).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc), Body = "An event without id." },
        }.ToAsyncEnumerable(), cancellationToken: Ct);
        var snapshot = await table.SnapshotAsync(cancellationToken: Ct);
        Assert.Equal(6, snapshot.Files.Count);

        var run = await Ingest(Day(2), Day(3), "--source", table.Root, "--format", "delta");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Contains("4 skipped by timestamp stats", run.Log);
        Assert.Equal((2L, 7L, 7L), (run.Counts["files"], run.Counts["input"], run.Counts["read"]));
        Assert.Equal((5L, 2L, 1L), (run.Counts["accepted"], run.Counts["quarantined"], run.Counts["quarantined_undated"]));
        Assert.Equal(["e-2-0", "e-2-1", "e-2-2", "e-2-3", "e-2-9"], (await Read(LakeTables.Documents)).Select(d => d.DocId).Order());
        var quarantine = await Read(LakeTables.Quarantine);
        var lastFile = snapshot.Files.Single(f => f.Stats!.Contains("\"numRecords\":3", StringComparison.Ordinal));
        var name = $"stream/{PartitionPaths.FromLogPath(lastFile.Path)}";
        Assert.Equal(new Dictionary<string, (string, DateOnly?)>
        {
            [$"{name}:row 2"] = (QuarantineReasons.MissingTimestamp, null),
            [$"{name}:row 3"] = (QuarantineReasons.MissingId, FirstDay.AddDays(2)),
        }, quarantine.ToDictionary(q => q.RecordRef, q => (q.Reason, q.Day)));
        Assert.Contains("An event without id.", quarantine.Single(q => q.Reason == QuarantineReasons.MissingId).Raw);
    }

    [Fact]
    public async Task Run_SparkTableWithEscapedTimestampPartition_ReadsEveryFileAndAddsPartitionValues()
    {
        // Spark's 12-column partitioned table: as_timestamp=2021-09-08 11%3A11%3A11 in the folder, %253A in add.path;
        // the third file has every partition null (__HIVE_DEFAULT_PARTITION__). as_date is its one date partition column.
        var source = Shared("spark-golden/data-reader-partition-values/delta");

        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2021-09-08", "--end", "2021-09-09", "--lake", Lake, "--source", source,
            "--id-field", "as_int", "--time-field", "as_timestamp", "--time-format", "yyyy-MM-dd HH:mm:ss", "--text-field", "value",
            "--category-field", "as_string", "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((3L, 3L, 3L), (run.Counts["files"], run.Counts["input"], run.Counts["read"]));
        var docs = (await Read(LakeTables.Documents)).OrderBy(d => d.DocId).ToList();
        Assert.Equal(["0", "1"], docs.Select(d => d.DocId));
        Assert.All(docs, d => Assert.Equal(new DateTime(2021, 9, 8, 11, 11, 11, DateTimeKind.Utc), d.Timestamp));
        Assert.Equal(["0", "1"], docs.Select(d => d.Category));
        Assert.All(docs, d => Assert.StartsWith("delta/as_int=", d.Source, StringComparison.Ordinal));
        Assert.Contains("as_timestamp=2021-09-08 11%3A11%3A11/", docs[0].Source, StringComparison.Ordinal); // decoded once, not twice
        var nullRow = Assert.Single(await Read(LakeTables.Quarantine));
        Assert.Equal(QuarantineReasons.MissingId, nullRow.Reason);
        Assert.Contains("__HIVE_DEFAULT_PARTITION__", nullRow.RecordRef, StringComparison.Ordinal);

        // Another day: both dated files are pruned by as_date; the null-partition file may hold any day and is read.
        var other = await StageRun.RunAsync(new IngestStage(), "--start", "2021-09-09", "--end", "2021-09-10", "--lake", Lake, "--source", source,
            "--id-field", "as_int", "--time-field", "as_timestamp", "--text-field", "value", "--max-quarantined-share", "1");
        Assert.True(other.ExitCode == ExitCodes.Success, other.Log);
        Assert.Equal((1L, 1L), (other.Counts["files"], other.Counts["read"]));
        Assert.Contains("2 pruned by partition", other.Log);
    }

    [Fact]
    public async Task Run_DeltaRsTableWithSlashAndSpaceInPartitionValues_ReadsTheDecodedPaths()
    {
        // Partition values "A/A" and "B B": folders x=A%2FA and x=B%20B, add.path x=A%252FA and x=B%2520B.
        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2021-09-08", "--end", "2021-09-09", "--lake", Lake,
            "--source", Shared("delta-rs/delta-0.8.0-special-partition"), "--format", "delta", "--id-field", "y", "--text-field", "x",
            "--time-field", "missing", "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((2L, 2L), (run.Counts["files"], run.Counts["read"]));
        var rows = await Read(LakeTables.Quarantine);
        Assert.Equal(["delta-0.8.0-special-partition/x=A%2FA/part-00007-b350e235-2832-45df-9918-6cab4f7578f7.c000.snappy.parquet:row 1",
                      "delta-0.8.0-special-partition/x=B%20B/part-00015-e9abbc6f-85e9-457b-be8e-e9f5b8a22890.c000.snappy.parquet:row 1"],
            rows.Select(r => r.RecordRef).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(QuarantineReasons.MissingTimestamp, r.Reason));
        Assert.Contains(rows, r => r.Raw?.Contains("\"x\":\"A/A\"", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Run_FileWithFewerRowsThanTheLogsNumRecords_FailsTheReconciliation()
    {
        var table = new DeltaTable<EventRow>(Sources, ByDay);
        await table.AppendAsync(Enumerable.Range(0, 3).Select(n => Event(0, n)).ToAsyncEnumerable(), cancellationToken: Ct);
        // The log says 4 rows where the data file holds 3: the input is counted from the log, apart from the reader.
        var commit = Path.Combine(table.Root, "_delta_log", "00000000000000000000.json");
        await File.WriteAllTextAsync(commit, (await File.ReadAllTextAsync(commit, Ct)).Replace(""" \"numRecords\":3 """.Trim(), """ \"numRecords\":4 """.Trim(), StringComparison.Ordinal), Ct);

        var run = await Ingest(Day(0), Day(1), "--source", table.Root);

        Assert.True(run.ExitCode == ExitCodes.QualityGate, run.Log);
        Assert.Contains("records read 3 != 4 records counted", run.Log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Lake, "documents")));
    }

    [Theory]
    [InlineData("spark-golden/dv-partitioned-with-checkpoint/delta", "deletionVectors")]
    [InlineData("spark-golden/deltalog-invalid-protocol-version/delta", "reader version 99")]
    [InlineData("spark-golden/table-with-columnmapping-mode-name/delta", "column mapping")]
    public async Task Run_TableNeedingAnUnsupportedReaderFeature_IsRefusedWithItsReason(string table, string reason)
    {
        var source = Shared(table);
        Assert.True(Directory.Exists(source), source);

        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2021-01-01", "--end", "2021-01-02", "--lake", Lake, "--source", source, "--format", "delta");

        Assert.True(run.ExitCode == ExitCodes.InputRefused, run.Log);
        Assert.Contains(reason, run.Log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Lake, "documents")));
    }

    [Fact]
    public async Task Run_PartitionColumnTheTableDoesNotHave_IsAConfigurationError()
    {
        var table = new DeltaTable<EventRow>(Sources, ByDay);
        await table.AppendAsync(new[] { Event(0, 0) }.ToAsyncEnumerable(), cancellationToken: Ct);

        var run = await Ingest(Day(0), Day(1), "--source", table.Root, "--partition-column", "hour");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.Log);
        Assert.Contains("partitioned by [day], not by it", run.Log, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
