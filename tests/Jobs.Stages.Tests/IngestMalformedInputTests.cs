using System.Text;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// Every kind of bad record, in each format ingest reads: each one lands in the quarantine with its reason from the
/// fixed list, the others go on, and the counts reconcile with a separate count of the input.
/// </summary>
public sealed class IngestMalformedInputTests : IDisposable
{
    private readonly TempDirectory _dir = new("ingest-malformed");
    private string Lake => _dir.Combine("lake");

    private Task<StageRunResult> Ingest(params string[] args) =>
        StageRun.RunAsync(new IngestStage(), ["--start", "2001-03-01", "--end", "2001-04-01", "--lake", Lake, .. args.Contains("--time-field") ? args : [.. args, "--time-field", "date"]]);

    private async Task<List<T>> Read<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(Lake, spec).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

    private string Write(string name, params byte[][] lines)
    {
        var path = _dir.Combine(name);
        using var file = File.Create(path);
        foreach (var line in lines)
        {
            file.Write(line);
            file.WriteByte((byte)'\n');
        }
        return path;
    }

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    private async Task<Dictionary<string, string>> ReasonsByRef() =>
        (await Read(LakeTables.Quarantine)).ToDictionary(q => q.RecordRef, q => q.Reason);

    [Fact]
    public async Task Run_JsonLinesWithEveryKindOfBadRecord_QuarantinesEachWithItsReasonAndReconciles()
    {
        var file = Write("mixed.jsonl",
            U("""{"id":"ok-1","date":"2001-03-04","text":"A valid record about taxes."}"""),                       // 1
            [.. U("""{"id":"bad-utf8","date":"2001-03-04","text":"caf"""), 0xC3, 0x28, .. U("\"}")],               // 2
            U("""{"id":"twice","date":"2001-03-04","text":"one","text":"two"}"""),                                  // 3
            U("""{"id":"case","ID":"other","date":"2001-03-04","text":"which id?"}"""),                             // 4
            U("""{"id":"nul","date":"2001-03-04","text":"a\u0000b"}"""),                                            // 5
            U($$"""{"id":"big","date":"2001-03-04","text":"{{new string('x', 300)}}"}"""),                          // 6
            U($$"""{"id":"huge","date":"2001-03-04","text":"{{new string('y', 5000)}}"}"""),                        // 7
            U("""{"date":"2001-03-04","text":"no id"}"""),                                                         // 8
            U("""{"id":"undated","text":"no date"}"""),                                                            // 9
            U("""{"id":"bad-date","date":"not-a-date","text":"x"}"""),                                             // 10
            U("""{"id":"month-13","date":"2001-13-04","text":"x"}"""),                                             // 11
            U("""{"id":"blank","date":"2001-03-04","text":"  \r\n\t "}"""),                                        // 12
            U("""{"id":"ok-1","date":"2001-03-04","text":"A valid record about taxes."}"""),                       // 13 exact duplicate
            U("""{"id":"ok-1","date":"2001-03-04","text":"Different text under the same id."}"""),                 // 14
            U("""{"id":"surrogate","date":"2001-03-04","text":"half \ud800 a pair"}"""),                           // 15
            U("""{"id": "truncated", "date": "2001-03-04", "text": "never closed"""),                              // 16
            U("""[1, 2, 3]"""),                                                                                    // 17
            U("""{"id":"later","date":"2001-05-01","text":"another chunk's record"}"""),                           // 18
            U("   "),                                                                                              // 19: a separator
            U("""{"id":"ok-2","date":"2001-03-05T23:30:00-16:00","text":"Dated beyond DateTimeOffset's offsets."}""")); // 20

        var run = await Ingest("--source", file, "--max-text-bytes", "256", "--max-record-bytes", "1024", "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal(new Dictionary<string, string>
        {
            ["mixed.jsonl:2"] = QuarantineReasons.InvalidUtf8,
            ["mixed.jsonl:3"] = QuarantineReasons.DuplicateField,
            ["mixed.jsonl:4"] = QuarantineReasons.DuplicateField,
            ["mixed.jsonl:5"] = QuarantineReasons.NulCharacter,
            ["mixed.jsonl:6"] = QuarantineReasons.TextTooLarge,
            ["mixed.jsonl:7"] = QuarantineReasons.RecordTooLarge,
            ["mixed.jsonl:8"] = QuarantineReasons.MissingId,
            ["mixed.jsonl:9"] = QuarantineReasons.MissingTimestamp,
            ["mixed.jsonl:10"] = QuarantineReasons.InvalidTimestamp,
            ["mixed.jsonl:11"] = QuarantineReasons.TimestampOutOfRange,
            ["mixed.jsonl:12"] = QuarantineReasons.EmptyText,
            ["mixed.jsonl:14"] = QuarantineReasons.DuplicateId,
            ["mixed.jsonl:15"] = QuarantineReasons.InvalidUtf8,
            ["mixed.jsonl:16"] = QuarantineReasons.MalformedRecord,
            ["mixed.jsonl:17"] = QuarantineReasons.MalformedRecord,
        }, await ReasonsByRef());
        var docs = await Read(LakeTables.Documents);
        Assert.Equal(["ok-1", "ok-2"], docs.Select(d => d.DocId).Order());
        Assert.Equal(new DateTime(2001, 3, 6, 15, 30, 0, DateTimeKind.Utc), docs.Single(d => d.DocId == "ok-2").Timestamp);
        Assert.Equal(new DateOnly(2001, 3, 6), docs.Single(d => d.DocId == "ok-2").Day);
        Assert.Equal(19, run.Counts["input"]);
        Assert.Equal((19L, 2L, 15L, 1L, 1L), (run.Counts["read"], run.Counts["accepted"], run.Counts["quarantined"], run.Counts["duplicates"], run.Counts["other_chunks"]));
        Assert.Equal(10, run.Counts["quarantined_undated"]); // 2, 3, 4, 7, 15, 16, 17 have no fields to read a date from; 9, 10, 11 no readable date

        var rows = await Read(LakeTables.Quarantine);
        Assert.All(rows, q => Assert.Contains(q.Reason, QuarantineReasons.All));
        Assert.All(rows, q => Assert.Equal("ingest", q.Stage));
        Assert.All(rows, q => Assert.InRange(q.Raw!.Length, 1, StrictUtf8.RawPreviewChars + 1));
        var duplicate = rows.Single(q => q.RecordRef == "mixed.jsonl:14");
        Assert.Contains("kept mixed.jsonl:1 of ", duplicate.Detail);
        Assert.Contains("0xC3", rows.Single(q => q.RecordRef == "mixed.jsonl:2").Detail);
        Assert.DoesNotContain('\uFFFD', docs.SelectMany(d => d.Text));
    }

    [Fact]
    public async Task Run_CsvWithEveryKindOfBadRow_QuarantinesEachAndReadsTheRowsAfterAnUnclosedQuote()
    {
        var file = Write("mixed.csv",
            U("id,date,title,text"),                                                   // 1 header
            U("ok-1,2001-03-04,First,A valid row."),                                   // 2
            U("ok-2,2001-03-04,Second,\"A quoted field"),                              // 3
            U("over two lines, with a comma.\""),                                      // 4
            U("short,2001-03-04,Missing a field"),                                     // 5
            [.. U("bad-utf8,2001-03-04,T,caf"), 0xFF, .. U(" au lait")],               // 6
            U("nul,2001-03-04,T,\"a\0b\""),                                            // 7
            U("no-date,,T,undated"),                                                   // 8
            U("bad-date,04/03/2001,T,x"),                                              // 9
            U(",2001-03-04,T,no id"),                                                  // 10
            U("ok-1,2001-03-04,First,A valid row."),                                   // 11 exact duplicate
            U("after,2001-03-04,T,\"ab\"cd"),                                          // 12 text after the closing quote
            U("open,2001-03-04,T,\"this quote is never closed"),                       // 13
            U("ok-3,2001-03-05,Third,Read again after the unclosed quote."),           // 14
            U("ok-4,2001-03-06,Fourth,And this one."));                                // 15

        var run = await Ingest("--source", file, "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal(["ok-1", "ok-2", "ok-3", "ok-4"], (await Read(LakeTables.Documents)).Select(d => d.DocId).Order());
        Assert.Contains("\n", (await Read(LakeTables.Documents)).Single(d => d.DocId == "ok-2").Text);
        Assert.Equal(new Dictionary<string, string>
        {
            ["mixed.csv:line 5"] = QuarantineReasons.MalformedRecord,
            ["mixed.csv:line 6"] = QuarantineReasons.InvalidUtf8,
            ["mixed.csv:line 7"] = QuarantineReasons.NulCharacter,
            ["mixed.csv:line 8"] = QuarantineReasons.MissingTimestamp,
            ["mixed.csv:line 9"] = QuarantineReasons.InvalidTimestamp,
            ["mixed.csv:line 10"] = QuarantineReasons.MissingId,
            ["mixed.csv:line 12"] = QuarantineReasons.MalformedRecord,
            ["mixed.csv:line 13"] = QuarantineReasons.MalformedRecord,
        }, await ReasonsByRef());
        Assert.Equal(13, run.Counts["input"]);
        Assert.Equal((13L, 4L, 8L, 1L), (run.Counts["read"], run.Counts["accepted"], run.Counts["quarantined"], run.Counts["duplicates"]));
    }

    [Fact]
    public async Task Run_CsvRowOverTheRecordLimit_IsQuarantinedAndTheNextRowsGoOn()
    {
        var file = Write("big.csv",
            U("id,date,text"),
            U("ok-1,2001-03-04,fine"),
            U($"huge,2001-03-04,\"{new string('z', 300_000)}\n{new string('z', 300_000)}\""),
            U("ok-2,2001-03-04,also fine"));

        var run = await Ingest("--source", file, "--max-record-bytes", "65536", "--max-text-bytes", "1024", "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal(["ok-1", "ok-2"], (await Read(LakeTables.Documents)).Select(d => d.DocId).Order());
        Assert.Equal(new Dictionary<string, string> { ["big.csv:line 3"] = QuarantineReasons.RecordTooLarge }, await ReasonsByRef());
        Assert.Equal((3L, 3L), (run.Counts["input"], run.Counts["read"]));
    }

    [Theory]
    [InlineData("--text-field", "body")]      // every record has empty text
    [InlineData("--id-field", "uuid")]        // every record has no id
    public async Task Run_WrongFieldMapping_FailsWithExitFourAndCommitsNoDocuments(string flag, string field)
    {
        var file = Write("good.jsonl",
            U("""{"id":"a","date":"2001-03-04","text":"one"}"""),
            U("""{"id":"b","date":"2001-03-05","text":"two"}"""));

        var run = await Ingest("--source", file, flag, field);

        Assert.True(run.ExitCode == ExitCodes.QualityGate, run.Log);
        Assert.Contains("100.0% of the chunk's records were quarantined", run.Log);
        Assert.Empty(await Read(LakeTables.Documents));
        Assert.Equal(2, (await Read(LakeTables.Quarantine)).Count); // kept, to show why
    }

    [Fact]
    public async Task Run_WrongTimeField_FailsWithExitFour()
    {
        var file = Write("good.jsonl", U("""{"id":"a","date":"2001-03-04","text":"one"}"""), U("""{"id":"b","date":"2001-03-05","text":"two"}"""));
        var run = await Ingest("--source", file, "--time-field", "created");
        Assert.True(run.ExitCode == ExitCodes.QualityGate, run.Log);
        Assert.Contains("have no readable timestamp", run.Log);
    }

    [Fact]
    public async Task Run_QuarantinedShareUnderTheThreshold_SucceedsAndReportsIt()
    {
        var file = Write("mostly-good.jsonl",
            U("""{"id":"a","date":"2001-03-04","text":"one"}"""), U("""{"id":"b","date":"2001-03-04","text":"two"}"""),
            U("""{"id":"c","date":"2001-03-04","text":"three"}"""), U("""{"id":"d","date":"2001-03-04","text":""}"""));
        var run = await Ingest("--source", file, "--max-quarantined-share", "0.3");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Contains("25.00", run.Log);
    }

    [Fact]
    public async Task Run_FolderWithAnUnknownFile_LogsTheSkippedFile()
    {
        Directory.CreateDirectory(_dir.Combine("in"));
        File.WriteAllText(_dir.Combine("in", "a.jsonl"), """{"id":"a","date":"2001-03-04","text":"one"}""" + "\n");
        File.WriteAllText(_dir.Combine("in", "notes.txt"), "not a source");
        var run = await Ingest("--source", _dir.Combine("in"));
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Contains("notes.txt", run.Log);
        Assert.Contains("Skipped", run.Log);
        Assert.Equal(1, run.Counts["files"]);
    }

    [Fact]
    public async Task Run_OverOneSource_KeepsTheUndatedQuarantineRowsOfAnother()
    {
        var a = Write("a.jsonl", U("""{"id":"a1","date":"2001-03-04","text":"one"}"""), U("""{"id":"a2","text":"undated"}"""));
        var b = Write("b.jsonl", U("""{"id":"b1","date":"2001-03-04","text":"one"}"""), U("""{"id":"b2","date":"soon","text":"undated"}"""));

        Assert.Equal(ExitCodes.Success, (await Ingest("--source", a)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await Ingest("--source", b)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await Ingest("--source", a)).ExitCode);

        Assert.Equal(["a.jsonl:2", "b.jsonl:2"], (await Read(LakeTables.Quarantine)).Select(q => q.RecordRef).Order());
    }

    [Fact]
    public async Task Run_SemicolonCsvWithQuotedLineBreaks_ReconcilesWithTheConfiguredSeparator()
    {
        var file = Write("semi.csv", U("id;date;text"), U("a;2001-03-04;\"two"), U("lines; one field\""), U("b;2001-03-05;plain"));
        var run = await Ingest("--source", file, "--csv-separator", ";");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((2L, 2L, 2L), (run.Counts["input"], run.Counts["read"], run.Counts["accepted"]));
    }

    [Fact]
    public async Task Run_JsonLinesWithAByteOrderMarkAndAStrayByteLine_Reconciles()
    {
        var file = Write("bom.jsonl", [0xEF, 0xBB, 0xBF, .. U("""{"id":"a","date":"2001-03-04","text":"one"}""")], [0xBB], U("""{"id":"b","date":"2001-03-04","text":"two"}"""));
        var run = await Ingest("--source", file, "--max-quarantined-share", "1");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((3L, 2L), (run.Counts["input"], run.Counts["accepted"]));
        Assert.Equal(new Dictionary<string, string> { ["bom.jsonl:2"] = QuarantineReasons.InvalidUtf8 }, await ReasonsByRef());
    }

    [Fact]
    public void Problems_ReadDiffersFromTheIndependentCount_IsReported()
    {
        var counts = new IngestCounts { Input = 10, Read = 9, Accepted = 9 };
        Assert.Equal(["records read 9 != 10 records counted in the input files"], counts.Problems());
        Assert.Empty(new IngestCounts { Input = 9, Read = 9, Accepted = 5, Quarantined = 2, Duplicates = 1, OtherChunks = 1 }.Problems());
    }

    [Fact]
    public void CountRecords_Csv_CountsQuotedLineBreaksOnceAndResumesAfterAnUnclosedQuote()
    {
        var file = Write("count.csv", U("a,b"), U("1,\"x"), U("y\""), U(""), U("2,ab\"c"), U("3,\"open"), U("4,z"));
        Assert.Equal(4, CsvRecordScanner.CountRecords(file));
    }

    public void Dispose() => _dir.Dispose();
}
