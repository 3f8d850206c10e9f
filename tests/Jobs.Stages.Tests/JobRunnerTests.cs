using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Load;
using Jobs.Testing;
using Jobs.Validate;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>The shared job contract, exercised through real stages and the real runner.</summary>
public sealed class JobRunnerTests : IDisposable
{
    private readonly TempDirectory _lake = new("lake");

    [Theory]
    [InlineData("end not after start", "--end 2024-01-01 must be after --start 2024-01-08", "--start", "2024-01-08", "--end", "2024-01-01")]
    [InlineData("equal dates", "must be after", "--start", "2024-01-01", "--end", "2024-01-01")]
    [InlineData("bad date", "'2024-13-01' is not a date", "--start", "2024-13-01", "--end", "2024-01-02")]
    [InlineData("unknown option", "--bogus", "--start", "2024-01-01", "--end", "2024-01-02", "--bogus")]
    [InlineData("missing end", "missing --end", "--start", "2024-01-01")]
    public async Task RunAsync_BadArguments_ExitTwoWithOneLineNamingTheProblem(string because, string message, params string[] args)
    {
        var run = await StageRun.RunAsync(new ValidateStage(), [.. args, "--lake", _lake.Path]);
        Assert.True(run.ExitCode == ExitCodes.Usage, because);
        var line = Assert.Single(run.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
    }

    [Fact]
    public async Task RunAsync_LoadWithoutConnectionString_ExitsTwo()
    {
        var run = await StageRun.RunAsync(new LoadStage(), "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _lake.Path);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("missing connection string: pass --pg or set JOBS_PG", run.Log);
    }

    [Fact]
    public async Task RunAsync_LakeAndConnectionFromEnvironment_AreAccepted()
    {
        var env = new Dictionary<string, string> { ["JOBS_LAKE"] = _lake.Path, ["JOBS_PG"] = "Host=127.0.0.1;Database=x" };
        var run = await StageRun.RunAsync(new LoadStage(), env, "--start", "2024-01-01", "--end", "2024-01-02", "--validate-args");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_lake.Path, "documents")), "--validate-args must not do any work");
    }

    [Fact]
    public async Task RunAsync_Help_PrintsTheContractAndExitsZero()
    {
        var run = await StageRun.RunAsync(new IngestStage(), "--help");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var option in new[] { "--start", "--end", "--lake", "--pg", "--run-id", "--source", "--time-field" })
            Assert.Contains(option, run.Output);
    }

    [Fact]
    public async Task RunAsync_Success_LogsJsonWithRunIdStageAndChunkOnEveryEvent()
    {
        var run = await StageRun.RunAsync(new ValidateStage(), "--start", "2024-01-01", "--end", "2024-01-08", "--lake", _lake.Path, "--run-id", "run-42");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.NotEmpty(run.Events);
        Assert.All(run.Events, e =>
        {
            Assert.Equal("run-42", e.GetProperty("RunId").GetString());
            Assert.Equal("validate", e.GetProperty("Stage").GetString());
            Assert.Equal("2024-01-01", e.GetProperty("ChunkStart").GetString());
            Assert.Equal("2024-01-08", e.GetProperty("ChunkEnd").GetString());
        });
        var summary = run.Events.Last();
        Assert.True(summary.TryGetProperty("RowsPerSecond", out _));
        Assert.Equal(0, run.Counts["documents"]);
    }

    [Fact]
    public async Task RunAsync_WritesTheTerminationMessage_CountsOnSuccessAndTheReasonOnFailure()
    {
        var message = Path.Combine(_lake.Path, "termination-log");
        await File.WriteAllTextAsync(message, "", TestContext.Current.CancellationToken); // the kubelet creates the file; the runner only writes to one that exists
        var settings = new JobRunnerSettings { LogOutput = TextWriter.Null, TerminationLogPath = message };
        Assert.Equal(ExitCodes.Success, await JobRunner.RunAsync(new ValidateStage(), ["--start", "2024-01-01", "--end", "2024-01-08", "--lake", _lake.Path], settings, TestContext.Current.CancellationToken));
        var ok = await File.ReadAllTextAsync(message, TestContext.Current.CancellationToken);
        Assert.StartsWith("validate ok: {", ok);
        Assert.Equal(0, System.Text.Json.JsonDocument.Parse(ok[ok.IndexOf('{')..]).RootElement.GetProperty("documents").GetInt64());

        Assert.Equal(ExitCodes.Usage, await JobRunner.RunAsync(new ValidateStage(), ["--start", "2024-01-08", "--end", "2024-01-01", "--lake", _lake.Path], settings, TestContext.Current.CancellationToken));
        Assert.StartsWith("validate: ", await File.ReadAllTextAsync(message, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_DatabaseUnreachable_ExitsOneWithoutLeakingThePassword()
    {
        var run = await StageRun.RunAsync(new LoadStage(), "--start", "2024-01-01", "--end", "2024-01-02", "--lake", _lake.Path,
            "--pg", "Host=127.0.0.1;Port=1;Username=u;Password=hunter2-secret;Database=d;Timeout=2");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("\"@l\":\"Fatal\"", run.Log);
        Assert.DoesNotContain("hunter2-secret", run.Log);
    }

    public void Dispose() => _lake.Dispose();
}

public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("postgresql://app:s%3Acret@jobs-pg-rw.jobs:5432/app?sslmode=require", "Host=jobs-pg-rw.jobs;Port=5432;Database=app;Username=app;Password=s:cret;SSL Mode=Require")]
    [InlineData("postgres://u@db/jobs", "Host=db;Port=5432;Database=jobs;Username=u")]
    [InlineData("Host=db;Database=jobs", "Host=db;Database=jobs")]
    public void Normalize_UriOrKeywords_GivesAKeywordString(string value, string expected) =>
        Assert.Equal(expected, PostgresConnectionString.Normalize(value));

    [Theory]
    [InlineData("postgresql://", "malformed")]
    [InlineData("postgresql://u@db/jobs?target_session_attrs=any", "unsupported parameter 'target_session_attrs'")]
    public void Normalize_BadUri_IsAConfigurationError(string value, string message) =>
        Assert.Contains(message, Assert.Throws<JobConfigurationException>(() => PostgresConnectionString.Normalize(value)).Message);

    [Fact]
    public async Task RunAsync_UriFromEnvironment_IsAcceptedAndItsPasswordNeverLogged()
    {
        using var lake = new TempDirectory("lake");
        var env = new Dictionary<string, string> { ["JOBS_PG"] = "postgresql://u:hunter2-secret@127.0.0.1:1/d?connect_timeout=2" };
        var ok = await StageRun.RunAsync(new LoadStage(), env, "--start", "2024-01-01", "--end", "2024-01-02", "--lake", lake.Path, "--validate-args");
        Assert.Equal(ExitCodes.Success, ok.ExitCode);
        var failed = await StageRun.RunAsync(new LoadStage(), env, "--start", "2024-01-01", "--end", "2024-01-02", "--lake", lake.Path);
        Assert.Equal(ExitCodes.Failed, failed.ExitCode);
        Assert.Contains("127.0.0.1:1/d", failed.Log);
        Assert.DoesNotContain("hunter2-secret", failed.Log);
        var bad = await StageRun.RunAsync(new LoadStage(), new Dictionary<string, string> { ["JOBS_PG"] = "postgresql://" },
            "--start", "2024-01-01", "--end", "2024-01-02", "--lake", lake.Path);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
    }
}
