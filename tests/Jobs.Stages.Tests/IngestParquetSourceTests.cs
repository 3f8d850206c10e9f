using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Parquet;
using Parquet.Serialization;
using Parquet.Serialization.Attributes;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// Parquet sources, written here with Parquet.Net: good rows become documents, each bad row lands in the quarantine
/// with its reason and <c>file:row N</c>, the counts reconcile with the rows the footer declares, a file that is not
/// Parquet is refused (exit 3) by name, and a date-template source lists only the chunk's days.
/// </summary>
public sealed class IngestParquetSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new("ingest-parquet");
    private string Lake => _dir.Combine("lake");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class TextRow
    {
        public string? Id { get; set; }
        public string? Date { get; set; }
        public string? Text { get; set; }
        public string? Title { get; set; }
    }

    public sealed class TypedRow
    {
        public long Id { get; set; }
        public DateTime Date { get; set; }
        public string? Text { get; set; }
        public int Category { get; set; }
        public double Score { get; set; }
    }

    public sealed class DatedRow
    {
        public string? Id { get; set; }
        public DateOnly Date { get; set; }
        public string? Text { get; set; }
    }

    public sealed class LocalTimeRow
    {
        public string? Id { get; set; }

        [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, false)] // a wall-clock time: no zone in the file
        public DateTime Date { get; set; }

        public string? Text { get; set; }
    }

    public sealed class BytesRow
    {
        public string? Id { get; set; }
        public string? Date { get; set; }
        public byte[]? Text { get; set; } // BYTE_ARRAY without the UTF-8 annotation, as older Spark and Hive write strings
    }

    private async Task<string> WriteAsync<T>(string name, IReadOnlyList<T> rows, int rowGroupSize = 1000)
    {
        var path = _dir.Combine(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await ParquetSerializer.SerializeAsync(rows, path, new ParquetOptions { RowGroupSize = rowGroupSize, UseDateOnlyTypeForDates = true }, cancellationToken: Ct);
        return path;
    }

    private Task<StageRunResult> Ingest(params string[] args) =>
        StageRun.RunAsync(new IngestStage(), ["--start", "2001-03-01", "--end", "2001-04-01", "--lake", Lake, "--time-field", "date", .. args]);

    private async Task<List<T>> Read<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(Lake, spec).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);

    private static async Task<long> FooterRowsAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: Ct);
        return reader.Metadata!.RowGroups.Sum(g => g.NumRows);
    }

    [Fact]
    public async Task Run_ParquetWithEveryKindOfBadRow_QuarantinesEachWithItsReasonAndRowAndReconciles()
    {
        var file = await WriteAsync("rows.parquet", new TextRow[]
        {
            new() { Id = "ok-1", Date = "2001-03-04T10:00:00Z", Text = "A valid row about taxes.", Title = "Taxes" }, // row 1
            new() { Id = null, Date = "2001-03-04", Text = "no id" },                                                   // row 2
            new() { Id = "  ", Date = "2001-03-04", Text = "blank id" },                                                // row 3
            new() { Id = "null-text", Date = "2001-03-04", Text = null },                                               // row 4
            new() { Id = "empty-text", Date = "2001-03-04", Text = " \r\n\t " },                                        // row 5
            new() { Id = "bad-date", Date = "not-a-date", Text = "x" },                                                 // row 6
            new() { Id = "month-13", Date = "2001-13-04", Text = "x" },                                                 // row 7
            new() { Id = "nul", Date = "2001-03-04", Text = "a\0b" },                                                   // row 8
            new() { Id = "big", Date = "2001-03-04", Text = new string('x', 300) },                                     // row 9
            new() { Id = "ok-1", Date = "2001-03-04T10:00:00Z", Text = "A valid row about taxes.", Title = "Taxes" }, // row 10: exact duplicate
            new() { Id = "ok-1", Date = "2001-03-04T11:00:00Z", Text = "Other text under the same id." },            // row 11: later, so it loses
            new() { Id = "later", Date = "2001-05-01", Text = "another chunk's row" },                                 // row 12
            new() { Id = "ok-2", Date = "2001-03-05T23:30:00-16:00", Text = "Dated beyond DateTimeOffset's offsets." }, // row 13
        }, rowGroupSize: 4);

        var run = await Ingest("--source", file, "--max-text-bytes", "256", "--max-record-bytes", "1024", "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var docs = await Read(LakeTables.Documents);
        Assert.Equal(["ok-1", "ok-2"], docs.Select(d => d.DocId).Order());
        Assert.Equal(("Taxes", "rows.parquet"), (docs.Single(d => d.DocId == "ok-1").Title, docs.Single(d => d.DocId == "ok-1").Source));
        Assert.Equal(new DateTime(2001, 3, 6, 15, 30, 0, DateTimeKind.Utc), docs.Single(d => d.DocId == "ok-2").Timestamp);
        var rows = await Read(LakeTables.Quarantine);
        Assert.Equal(new Dictionary<string, string>
        {
            ["rows.parquet:row 2"] = QuarantineReasons.MissingId,
            ["rows.parquet:row 3"] = QuarantineReasons.MissingId,
            ["rows.parquet:row 4"] = QuarantineReasons.EmptyText,
            ["rows.parquet:row 5"] = QuarantineReasons.EmptyText,
            ["rows.parquet:row 6"] = QuarantineReasons.InvalidTimestamp,
            ["rows.parquet:row 7"] = QuarantineReasons.TimestampOutOfRange,
            ["rows.parquet:row 8"] = QuarantineReasons.NulCharacter,
            ["rows.parquet:row 9"] = QuarantineReasons.TextTooLarge,
            ["rows.parquet:row 11"] = QuarantineReasons.DuplicateId,
        }, rows.ToDictionary(q => q.RecordRef, q => q.Reason));
        Assert.Contains("kept rows.parquet:row 1 of ", rows.Single(q => q.RecordRef == "rows.parquet:row 11").Detail);
        Assert.Contains("not-a-date", rows.Single(q => q.RecordRef == "rows.parquet:row 6").Raw);
        Assert.All(rows, q => Assert.Equal(("ingest", "rows.parquet"), (q.Stage, q.Source)));
        Assert.Equal(13, await FooterRowsAsync(file));
        Assert.Equal((13L, 13L), (run.Counts["input"], run.Counts["read"]));
        Assert.Equal((2L, 9L, 1L, 1L), (run.Counts["accepted"], run.Counts["quarantined"], run.Counts["duplicates"], run.Counts["other_chunks"]));
    }

    [Fact]
    public async Task Run_TypedColumns_BecomeTextAndTimestampsKeepTheirInstant()
    {
        var file = await WriteAsync("typed.parquet", new TypedRow[]
        {
            new() { Id = 42, Date = new DateTime(2001, 3, 4, 23, 59, 58, 123, DateTimeKind.Utc), Text = "Typed row.", Category = 7, Score = 0.5 },
            new() { Id = 43, Date = new DateTime(2001, 3, 5, 0, 0, 1, DateTimeKind.Utc), Text = "Another typed row.", Category = -1, Score = 1e-7 },
        });
        var dated = await WriteAsync("dated.parquet", new DatedRow[] { new() { Id = "d-1", Date = new DateOnly(2001, 3, 9), Text = "A date column." } });

        // A non-UTC --time-zone must not move instants the file stores in UTC.
        var run = await Ingest("--source", file, "--source", dated, "--title-field", "score", "--time-zone", "Europe/Paris");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var docs = (await Read(LakeTables.Documents)).ToDictionary(d => d.DocId);
        Assert.Equal(["42", "43", "d-1"], docs.Keys.Order());
        Assert.Equal(new DateTime(2001, 3, 4, 23, 59, 58, 123, DateTimeKind.Utc), docs["42"].Timestamp);
        Assert.Equal(new DateOnly(2001, 3, 4), docs["42"].Day);
        Assert.Equal(new DateOnly(2001, 3, 5), docs["43"].Day);
        Assert.Equal(("7", "0.5"), (docs["42"].Category, docs["42"].Title));
        Assert.Equal(("-1", "1E-07"), (docs["43"].Category, docs["43"].Title));
        Assert.Equal(new DateTime(2001, 3, 9, 0, 0, 0, DateTimeKind.Utc), docs["d-1"].Timestamp);
        Assert.Equal((3L, 3L, 3L), (run.Counts["input"], run.Counts["read"], run.Counts["accepted"]));
    }

    [Fact]
    public async Task Run_TimestampColumnNotAdjustedToUtc_IsReadInTheConfiguredTimeZone()
    {
        var file = await WriteAsync("local.parquet", new LocalTimeRow[] { new() { Id = "l-1", Date = new DateTime(2001, 3, 4, 0, 30, 0, DateTimeKind.Unspecified), Text = "Wall clock." } });

        var run = await Ingest("--source", file, "--time-zone", "Europe/Paris");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var doc = Assert.Single(await Read(LakeTables.Documents));
        Assert.Equal((new DateTime(2001, 3, 3, 23, 30, 0, DateTimeKind.Utc), new DateOnly(2001, 3, 3)), (doc.Timestamp, doc.Day));
    }

    [Fact]
    public async Task Run_ByteArrayColumn_IsDecodedStrictlyAsUtf8()
    {
        var file = await WriteAsync("bytes.parquet", new BytesRow[]
        {
            new() { Id = "b-1", Date = "2001-03-04", Text = "Caf\u00e9 au lait."u8.ToArray() },
            new() { Id = "b-2", Date = "2001-03-04", Text = [.. "caf"u8, 0xC3, 0x28] },
        });

        var run = await Ingest("--source", file, "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal("Caf\u00e9 au lait.", Assert.Single(await Read(LakeTables.Documents)).Text);
        var bad = Assert.Single(await Read(LakeTables.Quarantine));
        Assert.Equal(("bytes.parquet:row 2", QuarantineReasons.InvalidUtf8), (bad.RecordRef, bad.Reason));
        Assert.Contains("0xC3", bad.Detail);
        Assert.Equal((2L, 2L), (run.Counts["input"], run.Counts["read"]));
    }

    [Fact]
    public async Task Run_FormatParquetOnAnotherExtension_ReadsIt()
    {
        var file = await WriteAsync("export.bin", new TextRow[] { new() { Id = "x-1", Date = "2001-03-04", Text = "Named .bin, read as Parquet." } });

        var run = await Ingest("--source", file, "--format", "parquet");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal(["x-1"], (await Read(LakeTables.Documents)).Select(d => d.DocId));
    }

    [Fact]
    public async Task Run_NotAParquetFile_IsRefusedWithExit3NamingTheFile()
    {
        var good = await WriteAsync("good.parquet", new TextRow[] { new() { Id = "g-1", Date = "2001-03-04", Text = "Fine." } });
        var garbage = _dir.Combine("garbage.parquet");
        await File.WriteAllTextAsync(garbage, """{"id":"not parquet at all"}""", Ct);

        var run = await Ingest("--source", good, "--source", garbage);

        Assert.True(run.ExitCode == ExitCodes.InputRefused, run.Log);
        Assert.Contains("garbage.parquet", run.Log);
        Assert.Contains("not a readable Parquet file", run.Log);
        Assert.Empty(await Read(LakeTables.Documents));
    }

    [Fact]
    public async Task Run_TruncatedParquetFile_IsRefusedWithExit3()
    {
        var file = await WriteAsync("cut.parquet", Enumerable.Range(0, 50).Select(i => new TextRow { Id = $"c-{i}", Date = "2001-03-04", Text = $"Row {i}." }).ToList());
        var bytes = await File.ReadAllBytesAsync(file, Ct);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)], Ct); // an upload cut short: no footer

        var run = await Ingest("--source", file);

        Assert.True(run.ExitCode == ExitCodes.InputRefused, run.Log);
        Assert.Contains("cut.parquet", run.Log);
    }

    [Fact]
    public async Task Run_ACorruptRowGroup_QuarantinesEachOfItsRowsAndTheOthersGoOn()
    {
        var file = await WriteAsync("corrupt.parquet", Enumerable.Range(1, 9).Select(i => new TextRow { Id = $"r-{i}", Date = "2001-03-04", Text = $"Row number {i}." }).ToList(), rowGroupSize: 3);
        long offset;
        await using (var reader = await ParquetReader.CreateAsync(file, cancellationToken: Ct))
            offset = reader.Metadata!.RowGroups[1].Columns[0].MetaData!.DataPageOffset;
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Position = offset;
            await stream.WriteAsync(Enumerable.Repeat((byte)0xFF, 24).ToArray(), Ct); // the second row group's first page header
        }

        var run = await Ingest("--source", file, "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal(["r-1", "r-2", "r-3", "r-7", "r-8", "r-9"], (await Read(LakeTables.Documents)).Select(d => d.DocId).Order());
        var rows = await Read(LakeTables.Quarantine);
        Assert.Equal(["corrupt.parquet:row 4", "corrupt.parquet:row 5", "corrupt.parquet:row 6"], rows.Select(q => q.RecordRef).Order());
        Assert.All(rows, q => Assert.Equal(QuarantineReasons.MalformedRecord, q.Reason));
        Assert.All(rows, q => Assert.Contains("row group 1", q.Detail));
        Assert.Equal((9L, 9L, 6L, 3L), (run.Counts["input"], run.Counts["read"], run.Counts["accepted"], run.Counts["quarantined"]));
    }

    [Fact]
    public async Task Run_OneDayOfADatePartitionedParquetSource_ReadsOnlyThatDaysFiles()
    {
        for (var d = 1; d <= 10; d++)
        {
            var day = new DateOnly(2001, 3, d);
            await WriteAsync(SourceFiles.ForDay("incoming/{yyyy}/{MM}/{dd}/part-0.parquet", day),
                Enumerable.Range(0, 4).Select(i => new TextRow { Id = $"{day:yyyyMMdd}-{i}", Date = $"{day:yyyy-MM-dd}T1{i}:00:00Z", Text = $"Row {i} of {day:yyyy-MM-dd}." }).ToList());
        }
        var oneDay = new FileInfo(_dir.Combine("incoming", "2001", "03", "05", "part-0.parquet")).Length;

        var run = await StageRun.RunAsync(new IngestStage(),
            ["--start", "2001-03-05", "--end", "2001-03-06", "--lake", Lake, "--time-field", "date", "--source", _dir.Combine("incoming/{yyyy}/{MM}/{dd}/*.parquet")]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((1L, oneDay), (run.Counts["files"], run.Counts["bytes"]));
        Assert.Equal((4L, 4L, 4L), (run.Counts["input"], run.Counts["read"], run.Counts["accepted"]));
        Assert.Equal(["20010305-0", "20010305-1", "20010305-2", "20010305-3"], (await Read(LakeTables.Documents)).Select(d => d.DocId).Order());
    }

    public void Dispose() => _dir.Dispose();
}
