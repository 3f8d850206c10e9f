using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Tables;
using Jobs.Testing;
using Jobs.Validate;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// The validate stage on real Delta tables: a consistent chunk passes every check and records them in dq_results; each
/// injected defect fails exactly the check named for it (exit code 4); a warning reports without failing the task.
/// </summary>
public sealed class ValidateCheckTests : IDisposable
{
    private static readonly DateChunk Week = new(new DateOnly(2024, 3, 4), new DateOnly(2024, 3, 11));
    private readonly TempDirectory _lake = new("validate-lake");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Validate_ConsistentChunk_PassesAndRecordsEveryCheck()
    {
        var lake = new SyntheticLake(_lake.Path, Week);
        await lake.WriteAsync(Ct);
        var run = await StageRun.RunAsync(new ValidateStage(), lake.Args("--run-id", "clean"));
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);

        var results = await lake.ResultsAsync("clean", Ct);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Point}/{r.CheckName} observed {r.Observed} threshold {r.Threshold}"));
        Assert.Equal(["chunk", "embed", "ingest"], results.Select(r => r.Point).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(results, r => r.CheckName == "chunks_have_embeddings" && r.RowsChecked == lake.Chunks.Count);
        Assert.All(results, r => Assert.Equal(("2024-03-04", "2024-03-11", Week.Start), (r.ChunkStart, r.ChunkEnd, r.Day)));
        Assert.Equal(results.Count, run.Counts["checks"]);
    }

    public static TheoryData<string, string> Defects => new()
    {
        { "missing embedding", "chunks_have_embeddings" },
        { "NaN vector", "embedding_values_finite" },
        { "wrong dimension", "embedding_dimension" },
        { "duplicate document id", "document_ids_unique" },
        { "vector not unit length", "embedding_unit_norm" },
        { "chunk text edited after hashing", "chunk_hashes_match_text" },
        { "chunk over the token limit", "chunk_token_limit" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Validate_InjectedDefect_FailsExactlyItsCheck(string defect, string check)
    {
        var lake = new SyntheticLake(_lake.Path, Week);
        var victim = Inject(lake, defect);
        await lake.WriteAsync(Ct);

        var run = await StageRun.RunAsync(new ValidateStage(), lake.Args("--run-id", "defect"));
        Assert.True(run.ExitCode == ExitCodes.QualityGate, run.Log);
        Assert.Contains(check, run.Log);

        var failed = (await lake.ResultsAsync("defect", Ct)).Where(r => !r.Passed && r.Severity == "error").ToList();
        var only = Assert.Single(failed);
        Assert.Equal(check, only.CheckName);
        Assert.Equal(1, only.RowsFailed);
        Assert.Contains(victim, only.SampleRows);
    }

    private static string Inject(SyntheticLake lake, string defect)
    {
        var embedding = lake.Embeddings[3];
        switch (defect)
        {
            case "missing embedding":
                lake.Embeddings.RemoveAt(3);
                return embedding.ChunkId;
            case "NaN vector":
                embedding.Embedding[17] = float.NaN;
                return embedding.ChunkId;
            case "wrong dimension":
                embedding.Embedding = embedding.Embedding[..383];
                return embedding.ChunkId;
            case "vector not unit length":
                embedding.Embedding = [.. embedding.Embedding.Select(x => x * 1.5f)];
                return embedding.ChunkId;
            case "duplicate document id":
                var doc = lake.Documents[1];
                lake.Documents.Add(new DocumentRow
                {
                    DocId = doc.DocId, Day = doc.Day, Timestamp = doc.Timestamp, Text = doc.Text, ContentHash = doc.ContentHash, Source = "again.jsonl", RunId = "x",
                });
                return doc.DocId;
            case "chunk text edited after hashing":
                lake.Chunks[5].Text += " (edited)";
                return lake.Chunks[5].ChunkId;
            case "chunk over the token limit":
                lake.Chunks[5].TokenCount = SyntheticLake.Model.MaxTokens + 1;
                return lake.Chunks[5].ChunkId;
            default:
                throw new ArgumentOutOfRangeException(nameof(defect), defect, null);
        }
    }

    [Fact]
    public async Task Validate_NearDuplicateVectors_WarnsWithoutFailing()
    {
        var lake = new SyntheticLake(_lake.Path, Week);
        foreach (var e in lake.Embeddings.Skip(1)) e.Embedding = (float[])lake.Embeddings[0].Embedding.Clone();
        await lake.WriteAsync(Ct);
        var run = await StageRun.RunAsync(new ValidateStage(), lake.Args("--run-id", "dups", "--after", "embed"));
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var near = Assert.Single(await lake.ResultsAsync("dups", Ct), r => r.CheckName == "near_duplicate_share");
        Assert.Equal(("warning", false, 1.0), (near.Severity, near.Passed, near.Observed));
        Assert.Contains("near_duplicate_share", run.Log);
    }

    [Fact]
    public async Task Validate_ThresholdFromConfiguration_TurnsTheVerdict()
    {
        var lake = new SyntheticLake(_lake.Path, Week);
        await lake.WriteAsync(Ct);
        // Every document is shorter than 100 characters: a limit of 10 fails the size check, from the environment.
        var run = await StageRun.RunAsync(new ValidateStage(), new Dictionary<string, string> { ["JOBS_QUALITY__MAXDOCUMENTCHARS"] = "10" },
            lake.Args("--run-id", "strict", "--after", "ingest"));
        Assert.True(run.ExitCode == ExitCodes.QualityGate, run.Log);
        var size = Assert.Single(await lake.ResultsAsync("strict", Ct), r => r.CheckName == "document_text_size");
        Assert.Equal(10, size.Threshold);
        Assert.Equal(lake.Documents.Count, size.RowsFailed);
    }

    [Fact]
    public async Task Validate_UnknownPointOrLoadWithoutStore_IsAUsageError()
    {
        var lake = new SyntheticLake(_lake.Path, Week);
        Assert.Equal(ExitCodes.Usage, (await StageRun.RunAsync(new ValidateStage(), lake.Args("--after", "embedd"))).ExitCode);
        var run = await StageRun.RunAsync(new ValidateStage(), lake.Args("--after", "load"));
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--after load needs the serving store", run.Log);
    }

    [Fact]
    public async Task Validate_Profile_OnlyWhenAskedFor()
    {
        var lake = new SyntheticLake(_lake.Path, Week);
        lake.Documents[0].Title = null;
        await lake.WriteAsync(Ct);
        var plain = await StageRun.RunAsync(new ValidateStage(), lake.Args());
        Assert.DoesNotContain("Profile:", plain.Log);
        var profiled = await StageRun.RunAsync(new ValidateStage(), new Dictionary<string, string> { ["JOBS_VALIDATE__PROFILE"] = "true" }, lake.Args());
        Assert.True(profiled.ExitCode == ExitCodes.Success, profiled.Log);
        var profile = Assert.Single(profiled.Events, e => e.TryGetProperty("NullTitles", out _));
        Assert.Equal((14, 1, 0, 28), (profile.GetProperty("Documents").GetInt32(), profile.GetProperty("NullTitles").GetInt32(),
            profile.GetProperty("NullCategories").GetInt32(), profile.GetProperty("Chunks").GetInt32()));
        Assert.Equal("even: 7, odd: 7", profile.GetProperty("Categories").GetString());
    }

    public void Dispose() => _lake.Dispose();
}
