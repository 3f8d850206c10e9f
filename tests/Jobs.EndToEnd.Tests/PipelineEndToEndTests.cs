using System.Text.Json;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.LocalRun;
using Jobs.Search;
using Jobs.Store;
using Jobs.Testing;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// All five stages over the sample (six addresses 1961–1965 in CSV plus the bad-records JSONL) in three date chunks,
/// against real PostgreSQL; then every table is counted, a query must find its passage, and a full re-run must
/// leave every count unchanged.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PipelineEndToEndTests(PostgresFixture postgres) : IDisposable
{
    private readonly TempDirectory _lake = new("e2e-lake");
    private static readonly IReadOnlyList<DateChunk> Chunks =
        DateChunkPlanner.Split(new DateOnly(1961, 1, 1), new DateOnly(2002, 1, 1), days: 3 * 365);

    private static readonly string[] Sources =
    [
        "--source", Path.Combine(RepoPaths.Samples, "sotu", "sotu.csv"), "--source", Path.Combine(RepoPaths.Samples, "bad", "bad-records.jsonl"),
        "--time-field", "date", "--category-field", "party",
        "--max-quarantined-share", "0.75", // the bad-records sample is 3 bad of 5 in its chunk, on purpose
    ];

    private async Task RunPipelineAsync()
    {
        foreach (var step in PipelinePlan.For(Chunks, _lake.Path, postgres.ConnectionString, Sources))
        {
            var run = await StageRun.RunAsync(step.Stage, step.Args);
            Assert.True(run.ExitCode == ExitCodes.Success, $"{step.Stage.Name} {string.Join(' ', step.Args.Take(4))} exited {run.ExitCode}: {run.Log}");
        }
    }

    private async Task<(LakeCounts Lake, StoreCounts Store)> CountAsync()
    {
        await using var dataSource = PgDataSource.Create(postgres.ConnectionString);
        return (await LakeCounts.ReadAsync(_lake.Path, TestContext.Current.CancellationToken),
            await new VectorSearch(dataSource).CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Pipeline_OnSample_FillsEveryTableFindsThePassageAndRerunsIdempotently()
    {
        await RunPipelineAsync();
        var (lake, store) = await CountAsync();

        Assert.Equal(8, lake.Documents);     // 6 addresses + ok-1, ok-2
        Assert.Equal(5, lake.Quarantine);    // malformed, no id, bad date, empty text, duplicate id
        Assert.True(lake.Chunks > 100, $"{lake.Chunks} chunks");
        Assert.Equal(lake.Chunks, lake.Embeddings);
        Assert.Equal(new StoreCounts(lake.Documents, lake.Chunks), store);

        var search = await StageRun.RunAsync(new SearchStage(), "--lake", _lake.Path, "--pg", postgres.ConnectionString,
            "--query", "declaring an unconditional war on poverty", "--top-k", "3", "--format", "jsonl");
        Assert.Equal(ExitCodes.Success, search.ExitCode);
        var hits = search.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, hits.Count);
        Assert.Equal("sotu-1964-johnson", hits[0].GetProperty("doc_id").GetString());
        Assert.Equal("1964-01-31", hits[0].GetProperty("day").GetString());
        Assert.Contains("poverty", hits[0].GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);

        // The same query through a postgresql:// URI (the form CloudNativePG's app Secret holds) finds the same passage.
        var uri = $"postgresql://jobs:jobs-local-only@127.0.0.1:{postgres.Container.GetMappedPublicPort(5432)}/jobs";
        var viaUri = await StageRun.RunAsync(new SearchStage(), "--lake", _lake.Path, "--pg", uri,
            "--query", "declaring an unconditional war on poverty", "--top-k", "1", "--format", "jsonl");
        Assert.Equal(ExitCodes.Success, viaUri.ExitCode);
        Assert.Equal("sotu-1964-johnson", JsonDocument.Parse(viaUri.Output.Trim()).RootElement.GetProperty("doc_id").GetString());

        var filtered = await StageRun.RunAsync(new SearchStage(), "--lake", _lake.Path, "--pg", postgres.ConnectionString,
            "--query", "declaring an unconditional war on poverty", "--start", "1961-01-01", "--end", "1964-01-01", "--format", "jsonl");
        Assert.All(filtered.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => Assert.True(string.CompareOrdinal(JsonDocument.Parse(l).RootElement.GetProperty("day").GetString(), "1964-01-01") < 0, l));

        await AssertSearchModesAsync();

        await RunPipelineAsync();
        Assert.Equal((lake, store), await CountAsync());
    }

    private async Task<List<JsonElement>> SearchAsync(params string[] args)
    {
        var run = await StageRun.RunAsync(new SearchStage(), ["--pg", postgres.ConnectionString, "--format", "jsonl", .. args]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        return run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private async Task AssertSearchModesAsync()
    {
        const string query = "declaring an unconditional war on poverty";
        foreach (var mode in new[] { "vector", "fulltext", "hybrid" })
        {
            var hits = await SearchAsync("--query", query, "--mode", mode, "--top-k", "3");
            Assert.True(hits.Count > 0, mode);
            Assert.Equal("sotu-1964-johnson", hits[0].GetProperty("doc_id").GetString());
        }
        // Full-text search matches words: a word that no passage has finds nothing; vector search still ranks by meaning.
        Assert.Empty(await SearchAsync("--query", "xylophonist", "--mode", "fulltext"));
        Assert.Equal(5, (await SearchAsync("--query", "xylophonist", "--mode", "vector")).Count);

        // Filters apply inside each list: every hit is in the category, and a selective one still fills k.
        var republican = await SearchAsync("--query", query, "--mode", "hybrid", "--category", "Republican", "--top-k", "10");
        Assert.Equal(10, republican.Count);
        Assert.All(republican, h => Assert.Equal("Republican", h.GetProperty("category").GetString()));
        var eisenhower = await SearchAsync("--query", query, "--mode", "vector", "--category", "Republican", "--start", "1961-01-01", "--end", "1962-01-01", "--top-k", "20");
        Assert.Equal(20, eisenhower.Count);
        Assert.All(eisenhower, h => Assert.Equal("sotu-1961-eisenhower", h.GetProperty("doc_id").GetString()));

        // Grouped: one passage per document, the best one first.
        var grouped = await SearchAsync("--query", query, "--mode", "hybrid", "--group", "--top-k", "5");
        Assert.Equal(grouped.Count, grouped.Select(h => h.GetProperty("doc_id").GetString()).Distinct().Count());
        Assert.Equal("sotu-1964-johnson", grouped[0].GetProperty("doc_id").GetString());

        // Bad input is a usage error naming the value, never a query.
        foreach (var bad in new[] { new[] { "--mode", "semantic" }, ["--top-k", "0"], ["--query", new string('x', 1001)], ["--query", " "] })
        {
            var run = await StageRun.RunAsync(new SearchStage(), ["--pg", postgres.ConnectionString, "--query", "x", .. bad]);
            Assert.True(run.ExitCode == ExitCodes.Usage, string.Join(' ', bad) + ": " + run.Log);
        }
    }

    [Fact]
    public async Task Load_WrongPasswordOrMissingDatabase_ExitsTwoNotARetry()
    {
        string[] chunk = ["--start", "1961-01-01", "--end", "1962-01-01", "--lake", _lake.Path];
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = "wrong-password" };
        var wrong = await StageRun.RunAsync(new Jobs.Load.LoadStage(), [.. chunk, "--pg", builder.ConnectionString]);
        Assert.True(wrong.ExitCode == ExitCodes.Usage, wrong.Log);
        Assert.Contains("password authentication failed", wrong.Log);
        Assert.DoesNotContain("wrong-password", wrong.Log);

        var missing = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "no_such_database" };
        var run = await StageRun.RunAsync(new Jobs.Load.LoadStage(), [.. chunk, "--pg", missing.ConnectionString]);
        Assert.True(run.ExitCode == ExitCodes.Usage, run.Log);
    }

    public void Dispose() => _lake.Dispose();
}
