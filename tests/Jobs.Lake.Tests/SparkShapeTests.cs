using System.Text.Json;
using Jobs.Testing;
using Parquet;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>What this writer produces has the shape Spark writes, compared field by field with Spark's own files.</summary>
public sealed class SparkShapeTests : IDisposable
{
    private static readonly string SparkLog = Path.Combine(RepoPaths.SharedTestData, "delta", "spark-golden", "basic-with-inserts-deletes-checkpoint", "delta", "_delta_log");

    // Checkpoint columns Spark writes that this (1,2) writer leaves out; absent columns read as null (PROTOCOL.md).
    private static readonly string[] OmittedBySpec =
        ["add.deletionVector", "add.baseRowId", "add.defaultRowCommitVersion", "remove.deletionVector", "remove.baseRowId",
         "remove.defaultRowCommitVersion", "domainMetadata"];

    private readonly TempDirectory _dir = new("shape");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<Dictionary<string, string>> PhysicalSchema(string parquetFile)
    {
        await using var fs = File.OpenRead(parquetFile);
        await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: Ct);
        var elements = reader.Metadata!.Schema;
        var result = new Dictionary<string, string>();
        var i = 1; // skip the root (Spark names it spark_schema, Parquet.Net root)
        while (i < elements.Count) Walk("");
        return result;

        void Walk(string parent)
        {
            var e = elements[i++];
            var path = parent.Length == 0 ? e.Name : parent + "." + e.Name;
            // Parquet.Net annotates INT32/INT64 with the signed INT_32/INT_64 converted type, which Spark leaves implicit;
            // both mean a signed integer of that width to every reader, so the annotation is normalised away.
            var converted = e.ConvertedType?.ToString() is "INT_32" or "INT_64" ? "" : e.ConvertedType?.ToString() ?? "";
            result[path] = $"{e.RepetitionType} {e.Type?.ToString() ?? "group"} {converted}".Trim();
            for (var c = 0; c < (e.NumChildren ?? 0); c++) Walk(path);
        }
    }

    [Fact]
    public async Task Checkpoint_PhysicalSchema_MatchesSparksFieldByField()
    {
        var table = new DeltaTable<TestRow>(_dir.Path, TestRow.Spec);
        for (var i = 0; i <= 10; i++) await table.OverwriteAsync(TestRow.Make("a", i, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), Ct);
        await table.AppendAsync(TestRow.Make("b", 0, 1).ToAsyncEnumerable(), new TxnAction("app", 1, null), Ct);

        var ours = await PhysicalSchema(_dir.Combine("rows", "_delta_log", "00000000000000000010.checkpoint.parquet"));
        var spark = await PhysicalSchema(Path.Combine(SparkLog, "00000000000000000010.checkpoint.parquet"));

        Assert.All(ours, field => Assert.True(spark.TryGetValue(field.Key, out var s) && s == field.Value,
            $"{field.Key}: ours '{field.Value}', Spark '{(spark.TryGetValue(field.Key, out var x) ? x : "absent")}'"));
        var missing = spark.Keys.Where(k => !ours.ContainsKey(k) && !OmittedBySpec.Any(o => k == o || k.StartsWith(o + ".", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "Spark columns missing from ours: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Commits_Actions_HaveSparksFieldsAndJsonKinds()
    {
        var table = new DeltaTable<TestRow>(_dir.Path, TestRow.Spec);
        await table.AppendAsync(TestRow.Make("a", 0, 2).ToAsyncEnumerable(), cancellationToken: Ct);
        await table.OverwriteAsync(TestRow.Make("a", 5, 1).ToAsyncEnumerable(), TestRow.PartIs("a"), Ct);
        var ours = ActionsOf(_dir.Combine("rows", "_delta_log"), 0, 1);
        var spark = ActionsOf(SparkLog, 0, 5);

        foreach (var kind in new[] { "protocol", "metaData", "add", "remove", "commitInfo" })
        {
            Assert.True(ours.ContainsKey(kind), $"we wrote no {kind}");
            var theirs = spark[kind];
            // Every field Spark writes in this action (bar engine-specific provenance) is in ours, with the same JSON kind.
            foreach (var field in theirs.EnumerateObject().Where(f => kind != "commitInfo" || f.Name is "timestamp" or "operation" or "operationParameters" or "isBlindAppend"))
            {
                Assert.True(ours[kind].TryGetProperty(field.Name, out var mine), $"{kind}.{field.Name} is missing");
                Assert.True(mine.ValueKind == field.Value.ValueKind || (kind == "add" && field.Name == "tags"), $"{kind}.{field.Name}: {mine.ValueKind} vs Spark {field.Value.ValueKind}");
            }
        }
        Assert.Equal(JsonValueKind.String, ours["add"].GetProperty("stats").ValueKind); // stats is a JSON string, not an object
    }

    private static Dictionary<string, JsonElement> ActionsOf(string log, params long[] versions)
    {
        var actions = new Dictionary<string, JsonElement>();
        foreach (var v in versions)
            foreach (var line in File.ReadAllLines(Path.Combine(log, $"{v:D20}.json")))
            {
                var action = JsonDocument.Parse(line).RootElement.EnumerateObject().Single();
                actions.TryAdd(action.Name, action.Value.Clone());
            }
        return actions;
    }

    public void Dispose() => _dir.Dispose();
}
