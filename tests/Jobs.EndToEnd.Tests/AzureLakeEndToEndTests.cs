using System.Text.Json;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.LocalRun;
using Jobs.Search;
using Jobs.Store;
using Jobs.Testing;
using Npgsql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// The whole pipeline with its lake in object storage: every stage reads and writes az://container/lake on a real
/// Azurite emulator (loopback), the serving store is a database of its own on the real PostgreSQL, and a re-run
/// changes no count.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AzureLakeEndToEndTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly Azurite _azurite = new();
    private string _lake = "";
    private string _pg = "";
    private Dictionary<string, string> _env = [];

    private static readonly IReadOnlyList<DateChunk> Chunks =
        DateChunkPlanner.Split(new DateOnly(1961, 1, 1), new DateOnly(1966, 1, 1), days: 2 * 365);

    private static readonly string[] Sources =
        ["--source", Path.Combine(RepoPaths.Samples, "sotu", "sotu.csv"), "--time-field", "date", "--category-field", "party"];

    public async ValueTask InitializeAsync()
    {
        _lake = await _azurite.CreateLakeLocationAsync("lake", TestContext.Current.CancellationToken);
        _env = new() { [LakeStorage.ConnectionStringVariable] = _azurite.ConnectionString };
        _pg = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "e2e_az", fresh: true, TestContext.Current.CancellationToken);
    }

    private async Task RunPipelineAsync()
    {
        foreach (var step in PipelinePlan.For(Chunks, _lake, _pg, Sources))
        {
            var run = await StageRun.RunAsync(step.Stage, _env, step.Args);
            Assert.True(run.ExitCode == ExitCodes.Success, $"{step.Stage.Name} {string.Join(' ', step.Args.Take(4))} exited {run.ExitCode}: {run.Log}");
        }
    }

    private async Task<(LakeCounts Lake, StoreCounts Store)> CountAsync()
    {
        await using var dataSource = PgDataSource.Create(_pg);
        return (await LakeCounts.ReadAsync(LakeStorage.Open(_lake, _azurite.Environment), TestContext.Current.CancellationToken),
            await new VectorSearch(dataSource).CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Pipeline_WithAnAzLake_RunsEveryStageOnBlobStorageAndRerunsIdempotently()
    {
        await RunPipelineAsync();
        var (lake, store) = await CountAsync();
        Assert.Equal(6, lake.Documents); // the six addresses of 1961–1965
        Assert.True(lake.Chunks > 100, $"{lake.Chunks} chunks");
        Assert.Equal(lake.Chunks, lake.Embeddings);
        Assert.Equal(new StoreCounts(lake.Documents, lake.Chunks), store);

        // Nothing was written to a local folder named like the location: the blobs are in the container.
        var container = await _azurite.ListBlobNamesAsync(_lake, TestContext.Current.CancellationToken);
        Assert.Contains(container, n => n.StartsWith("lake/embeddings/_delta_log/", StringComparison.Ordinal));
        Assert.False(Directory.Exists("az:"));

        var search = await StageRun.RunAsync(new SearchStage(), "--pg", _pg, "--query", "declaring an unconditional war on poverty", "--top-k", "1", "--format", "jsonl");
        Assert.Equal(ExitCodes.Success, search.ExitCode);
        Assert.Equal("sotu-1964-johnson", JsonDocument.Parse(search.Output.Trim()).RootElement.GetProperty("doc_id").GetString());

        await RunPipelineAsync();
        Assert.Equal((lake, store), await CountAsync());
    }

    [Fact]
    public async Task Run_AzLakeWithoutCredentials_ExitsTwoBeforeAnyWork()
    {
        var run = await StageRun.RunAsync(new Jobs.Chunk.ChunkStage(), "--start", "1961-01-01", "--end", "1962-01-01", "--lake", _lake);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("AZURE_STORAGE_CONNECTION_STRING", run.Log);
    }

    public async ValueTask DisposeAsync() => await _azurite.DisposeAsync();
}
