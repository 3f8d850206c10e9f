using System.Text.Json;
using Jobs.Chunk;
using Jobs.Contracts;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Load;
using Jobs.Tables;
using Jobs.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>Settings from a file, JOBS_ environment variables and the command line, checked all at once.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new("config");

    private static string Line(StageRunResult run) => Assert.Single(run.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    private static JsonElement Printed(StageRunResult run)
    {
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        return JsonDocument.Parse(run.Output).RootElement;
    }

    [Fact]
    public async Task ValidateArgs_TwoProblems_ExitsTwoNamingBoth()
    {
        var run = await StageRun.RunAsync(new ChunkStage(), "--start", "2024-01-02", "--end", "2024-01-01", "--max-tokens", "0", "--lake", _dir.Combine("x"), "--validate-args");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var line = Line(run);
        Assert.Contains("--end 2024-01-01 must be after --start 2024-01-02", line);
        Assert.Contains("--max-tokens 0 must be at least 16", line);
    }

    [Fact]
    public async Task Run_ThreeBadValuesFromThreeLayers_ListsAllThree()
    {
        var env = new Dictionary<string, string> { ["JOBS_CHUNK__OVERLAPTOKENS"] = "-1" };
        var run = await StageRun.RunAsync(new ChunkStage(), env,
            "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path, "--max-tokens", "many", "--log-format", "xml");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var line = Line(run);
        Assert.Contains("3 problems", line);
        Assert.Contains("--max-tokens (Chunk:MaxTokens) 'many' is not a whole number", line);
        Assert.Contains("--overlap-tokens -1 must not be negative", line);
        Assert.Contains("--log-format must be json or text, not 'xml'", line);
        Assert.False(Directory.Exists(_dir.Combine("chunks")));
    }

    [Fact]
    public async Task Run_MisspeltOptionAfterARepeatableOne_IsAnUnknownOptionNotASource()
    {
        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path,
            "--source", SampleFiles.SotuJsonl, "--time-feild", "date");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Unrecognized command or argument '--time-feild'", Line(run));
    }

    [Fact]
    public async Task Run_LakeIsAFile_ExitsTwoSayingSo()
    {
        var file = _dir.Combine("not-a-folder");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);
        var run = await StageRun.RunAsync(new ChunkStage(), "--start", "2024-01-01", "--end", "2024-01-02", "--lake", file);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("is a file, not a folder", Line(run));
    }

    [Theory]
    [InlineData("settings.yaml", "Lake: {0}\nChunk:\n  MaxTokens: 100\n  OverlapTokens: 10\n")]
    [InlineData("settings.json", "{{\"Lake\": \"{0}\", \"Chunk\": {{\"MaxTokens\": 100, \"OverlapTokens\": 10}}}}")]
    public async Task PrintConfig_FileThenEnvironmentThenCommandLine_LaterWins(string name, string content)
    {
        var file = _dir.Combine(name);
        await File.WriteAllTextAsync(file, string.Format(System.Globalization.CultureInfo.InvariantCulture, content, _dir.Path), TestContext.Current.CancellationToken);
        string[] chunk = ["--start", "2024-01-01", "--end", "2024-01-02", "--config", file, "--print-config"];

        var fromFile = Printed(await StageRun.RunAsync(new ChunkStage(), chunk));
        Assert.Equal(_dir.Path, fromFile.GetProperty("Lake").GetString());
        Assert.Equal(100, fromFile.GetProperty("Chunk").GetProperty("MaxTokens").GetInt32());
        Assert.Equal(10, fromFile.GetProperty("Chunk").GetProperty("OverlapTokens").GetInt32());

        var env = new Dictionary<string, string> { ["JOBS_CHUNK__MAXTOKENS"] = "120" };
        var fromEnv = Printed(await StageRun.RunAsync(new ChunkStage(), env, chunk));
        Assert.Equal(120, fromEnv.GetProperty("Chunk").GetProperty("MaxTokens").GetInt32());
        Assert.Equal(10, fromEnv.GetProperty("Chunk").GetProperty("OverlapTokens").GetInt32());

        var fromCli = Printed(await StageRun.RunAsync(new ChunkStage(), env, [.. chunk, "--max-tokens", "130"]));
        Assert.Equal(130, fromCli.GetProperty("Chunk").GetProperty("MaxTokens").GetInt32());
    }

    [Fact]
    public async Task Run_MisspeltKeyInTheStagesSection_IsRefusedOtherStagesKeysAreNot()
    {
        var env = new Dictionary<string, string> { ["JOBS_CHUNK__MAXTOKEN"] = "200", ["JOBS_EMBED__BATCHSIZE"] = "8", ["JOBS_IMAGE_REGISTRY"] = "r/" };
        var run = await StageRun.RunAsync(new ChunkStage(), env, "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path, "--validate-args");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var line = Line(run);
        Assert.Contains("unknown setting Chunk:MAXTOKEN (env JOBS_CHUNK__MAXTOKEN)", line);
        Assert.Contains("Chunk has MaxTokens, OverlapTokens", line);
        Assert.DoesNotContain("EMBED", line);
    }

    [Fact]
    public async Task PrintConfig_RedactsTheConnectionString()
    {
        var env = new Dictionary<string, string> { ["JOBS_PG"] = "Host=db;Username=u;Password=hunter2-secret" };
        var run = await StageRun.RunAsync(new LoadStage(), env, "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path, "--print-config");
        var printed = Printed(run);
        Assert.Equal("***", printed.GetProperty("Pg").GetString());
        Assert.DoesNotContain("hunter2", run.Output + run.Log);
    }

    [Fact]
    public async Task PrintConfig_ListGivenOnTheCommandLine_ReplacesTheFilesList()
    {
        var file = _dir.Combine("ingest.yaml");
        await File.WriteAllTextAsync(file, "Ingest:\n  Source:\n    - a.jsonl\n    - b.jsonl\n    - c.jsonl\n", TestContext.Current.CancellationToken);
        var printed = Printed(await StageRun.RunAsync(new IngestStage(),
            "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path, "--config", file, "--source", "only.jsonl", "--print-config"));
        Assert.Equal(["only.jsonl"], printed.GetProperty("Ingest").GetProperty("Source").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ValidateArgs_MissingSourceAndUnknownModel_AreReported()
    {
        var ingest = await StageRun.RunAsync(new IngestStage(), "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path,
            "--source", _dir.Combine("nowhere.jsonl"), "--validate-args");
        Assert.Equal(ExitCodes.Usage, ingest.ExitCode);
        Assert.Contains("nowhere.jsonl does not exist", Line(ingest));

        var chunk = await StageRun.RunAsync(new ChunkStage(), "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path,
            "--model", "no-such-model", "--validate-args");
        Assert.Equal(ExitCodes.Usage, chunk.ExitCode);
        Assert.Contains("--model 'no-such-model' is not a known model", Line(chunk));
    }

    [Fact]
    public async Task ValidateArgs_ModelFolderWithoutFiles_ExitsTwoBeforeAnyWork()
    {
        var empty = Directory.CreateDirectory(_dir.Combine("model")).FullName;
        var run = await StageRun.RunAsync(new EmbedStage(), "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _dir.Path,
            "--model-dir", empty, "--validate-args");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("has no vocab.txt", Line(run));

        // Without --validate-args the same deployment problem is found when the model is first needed: exit 2, not a retry.
        var lake = _dir.Combine("lake");
        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), ["--start", "1961-01-01", "--end", "1962-01-01", "--lake", lake, "--source", SampleFiles.SotuCsv, .. SampleFiles.SotuMapping])).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), "--start", "1961-01-01", "--end", "1962-01-01", "--lake", lake)).ExitCode);
        var embed = await StageRun.RunAsync(new EmbedStage(), "--start", "1961-01-01", "--end", "1962-01-01", "--lake", lake, "--model-dir", empty);
        Assert.Equal(ExitCodes.Usage, embed.ExitCode);
    }

    [Fact]
    public async Task Run_SwappedGenerator_IsWhatTheStageUses()
    {
        var lake = _dir.Combine("lake");
        string[] chunk = ["--start", "1961-01-01", "--end", "1962-01-01", "--lake", lake];
        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), [.. chunk, "--source", SampleFiles.SotuCsv, .. SampleFiles.SotuMapping])).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), chunk)).ExitCode);

        var run = await StageRun.RunAsync(new EmbedStage(), services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new ConstantGenerator()), chunk);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var rows = await new Jobs.Lake.DeltaTable<EmbeddingRow>(lake, LakeTables.Embeddings).ReadAsync(Jobs.Lake.PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(ConstantGenerator.Vector, r.Embedding));
    }

    /// <summary>Every text → the same unit vector of the default model's dimension.</summary>
    private sealed class ConstantGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public static readonly float[] Vector = [.. Enumerable.Range(0, EmbeddingModels.Default.Dimensions).Select(i => i == 0 ? 1f : 0f)];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(Vector.ToArray()))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }

    public void Dispose() => _dir.Dispose();
}
