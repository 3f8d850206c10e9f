using System.Text;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// A record far over the size limit (a 50 MB line of JSON Lines, a 50 MB CSV row spanning many lines) is quarantined
/// as record_too_large with a short raw preview, the records around it go on, and the readers never hold it: the bytes
/// they allocate while passing it stay near the limit, whatever the record's size.
/// </summary>
public sealed class IngestStreamingTests : IDisposable
{
    private const long FiftyMegabytes = 50L * 1024 * 1024;
    private const int Limit = 1024 * 1024;
    private readonly TempDirectory _dir = new("ingest-streaming");
    private string Lake => _dir.Combine("lake");

    public void Dispose() => _dir.Dispose();

    /// <summary>Writes the lines, the huge one streamed in pieces (<paramref name="hugeLine"/> is its index), so the test itself never holds it.</summary>
    private string Write(string name, string[] lines, int hugeLine, string hugeStart, string hugeEnd, byte filler = (byte)'x')
    {
        var path = _dir.Combine(name);
        using var file = File.Create(path);
        var piece = new byte[1024 * 1024];
        Array.Fill(piece, filler);
        for (var i = 0; i < lines.Length; i++)
        {
            if (i == hugeLine)
            {
                file.Write(Encoding.UTF8.GetBytes(hugeStart));
                for (long written = 0; written < FiftyMegabytes; written += piece.Length) file.Write(piece);
                file.Write(Encoding.UTF8.GetBytes(hugeEnd));
            }
            else file.Write(Encoding.UTF8.GetBytes(lines[i]));
            file.WriteByte((byte)'\n');
        }
        return path;
    }

    private const string HugeStart = """{"id":"huge","timestamp":"2001-03-04","text":" """;
    private const string HugeEnd = "\"}";

    private string JsonLinesFile() => Write("big.jsonl",
        [
            """{"id":"before","timestamp":"2001-03-04","text":"The record before the huge one."}""",
            "",
            """{"id":"after","timestamp":"2001-03-05","text":"The record after the huge one."}""",
        ], hugeLine: 1, HugeStart, HugeEnd);

    /// <summary>The huge row is a quoted field whose 50 MB hold a line break every 80 bytes: one CSV record over 600,000 lines.</summary>
    private string CsvFile()
    {
        var path = _dir.Combine("big.csv");
        using (var file = File.Create(path))
        {
            file.Write("id,timestamp,text\nbefore,2001-03-04,The row before the huge one.\nhuge,2001-03-04,\""u8);
            var line = Encoding.UTF8.GetBytes(new string('y', 79) + "\n");
            for (long written = 0; written < FiftyMegabytes; written += line.Length) file.Write(line);
            file.Write("\"\nafter,2001-03-05,The row after the huge one.\n"u8);
        }
        return path;
    }

    private static long AllocatedWhile(Action read)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        read();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Utf8LineReader_FiftyMegabyteLine_KeepsOnlyItsHead()
    {
        var path = JsonLinesFile();
        var lines = new List<(long Number, int Kept, long Length, bool Truncated)>();
        var allocated = AllocatedWhile(() =>
        {
            using var stream = File.OpenRead(path);
            foreach (var line in Utf8LineReader.Read(stream, Limit)) lines.Add((line.Number, line.Bytes.Length, line.Length, line.Truncated));
        });

        Assert.Equal([1L, 2L, 3L], lines.Select(l => l.Number));
        Assert.True(lines[1].Truncated);
        Assert.Equal(FiftyMegabytes + HugeStart.Length + HugeEnd.Length, lines[1].Length);
        Assert.Equal(Utf8LineReader.KeptOfLongLine, lines[1].Kept);
        Assert.False(lines[2].Truncated);
        Assert.True(allocated < 8 * Limit, $"reading a 50 MB line with a 1 MiB limit allocated {allocated / 1048576.0:F1} MiB");
    }

    [Fact]
    public void JsonLinesReader_FiftyMegabyteLine_IsRecordTooLargeWithoutBeingHeld()
    {
        var path = JsonLinesFile();
        var records = new List<SourceRecord>();
        var allocated = AllocatedWhile(() => records.AddRange(JsonLinesReader.Read(path, "big.jsonl", Limit)));

        Assert.Equal(["big.jsonl:1", "big.jsonl:2", "big.jsonl:3"], records.Select(r => r.Ref));
        Assert.Equal(QuarantineReasons.RecordTooLarge, records[1].Problem?.Reason);
        Assert.StartsWith("""{"id":"huge",""", records[1].Raw, StringComparison.Ordinal);
        Assert.InRange(records[1].Raw.Length, 1, StrictUtf8.RawPreviewChars + 1);
        Assert.Null(records[2].Problem);
        Assert.True(allocated < 8 * Limit, $"reading a 50 MB line with a 1 MiB limit allocated {allocated / 1048576.0:F1} MiB");
    }

    [Fact]
    public void CsvRecordReader_FiftyMegabyteRow_IsRecordTooLargeWithoutBeingHeld()
    {
        var path = CsvFile();
        var records = new List<SourceRecord>();
        var allocated = AllocatedWhile(() => records.AddRange(CsvRecordReader.Read(path, "big.csv", Limit)));

        Assert.Equal(["big.csv:line 2", "big.csv:line 3", $"big.csv:line {3 + (FiftyMegabytes / 80) + 1}"], records.Select(r => r.Ref));
        Assert.Equal(QuarantineReasons.RecordTooLarge, records[1].Problem?.Reason);
        Assert.StartsWith("huge,2001-03-04,", records[1].Raw, StringComparison.Ordinal);
        Assert.Equal("after", records[2].Fields!["id"]);
        Assert.True(allocated < 8 * Limit, $"reading a 50 MB row with a 1 MiB limit allocated {allocated / 1048576.0:F1} MiB");
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task Run_FiftyMegabyteRecord_IsQuarantinedAndTheOthersAreIngested(string format)
    {
        var path = format == "csv" ? CsvFile() : JsonLinesFile();

        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2001-03-01", "--end", "2001-04-01", "--lake", Lake, "--source", path, "--max-quarantined-share", "1");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var ct = TestContext.Current.CancellationToken;
        var docs = await new DeltaTable<DocumentRow>(Lake, LakeTables.Documents).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        var quarantine = await new DeltaTable<QuarantineRow>(Lake, LakeTables.Quarantine).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        Assert.Equal(["after", "before"], docs.Select(d => d.DocId).Order(StringComparer.Ordinal));
        var huge = Assert.Single(quarantine);
        Assert.Equal(QuarantineReasons.RecordTooLarge, huge.Reason);
        Assert.Equal(format == "csv" ? "big.csv:line 3" : "big.jsonl:2", huge.RecordRef);
        Assert.Contains("16777216-byte record limit", huge.Detail, StringComparison.Ordinal);
        Assert.InRange(huge.Raw!.Length, 1, StrictUtf8.RawPreviewChars + 1);
        Assert.Equal((3L, 3L, 2L, 1L), (run.Counts["input"], run.Counts["read"], run.Counts["accepted"], run.Counts["quarantined"]));
    }
}
