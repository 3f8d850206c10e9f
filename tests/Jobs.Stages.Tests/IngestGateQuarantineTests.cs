using System.Text;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// A run the quarantine gate refuses (exit 4) still writes its quarantine, to show why, and owns the same part of it as
/// a run that passes: the undated rows other sources' runs left stay.
/// </summary>
public sealed class IngestGateQuarantineTests : IDisposable
{
    private readonly TempDirectory _dir = new("ingest-gate-quarantine");
    private string Lake => _dir.Combine("lake");

    private Task<StageRunResult> Ingest(string source) =>
        StageRun.RunAsync(new IngestStage(), ["--start", "2001-03-01", "--end", "2001-04-01", "--lake", Lake, "--time-field", "date", "--source", source,
            "--max-quarantined-share", "0.5"]);

    private string Write(string name, params string[] lines)
    {
        var path = _dir.Combine(name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public async Task Run_GateFailsOverOneSource_KeepsTheUndatedQuarantineRowsOfAnother()
    {
        var b = Write("b.jsonl", """{"id":"b1","date":"2001-03-04","text":"one"}""", """{"id":"b2","date":"2001-03-04","text":"two"}""",
            """{"id":"b3","date":"soon","text":"undated"}""");
        var a = Write("a.jsonl", """{"id":"a1","date":"2001-03-04","text":"one"}""", """{"id":"a2","text":"undated"}""", """{"id":"a3","text":"undated"}""");

        var passed = await Ingest(b);
        Assert.True(passed.ExitCode == ExitCodes.Success, passed.Log);
        var refused = await Ingest(a); // two of three records undated: above the share
        Assert.True(refused.ExitCode == ExitCodes.QualityGate, refused.Log);

        var quarantine = await new DeltaTable<QuarantineRow>(Lake, LakeTables.Quarantine).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["a.jsonl:2", "a.jsonl:3", "b.jsonl:3"], quarantine.Select(q => q.RecordRef).Order(StringComparer.Ordinal));
        var documents = await new DeltaTable<DocumentRow>(Lake, LakeTables.Documents).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["b1", "b2"], documents.Select(d => d.DocId).Order(StringComparer.Ordinal)); // the refused run committed no documents
    }

    public void Dispose() => _dir.Dispose();
}
