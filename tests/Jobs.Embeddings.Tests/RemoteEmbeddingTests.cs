using Jobs.Contracts;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Embeddings.Tests;

/// <summary>
/// The embed stage against a real HTTP server that misbehaves: every chunk ends embedded with the right vector or
/// dead-lettered, nothing twice, counts reconcile, and the waits the server asked for are honoured (measured there).
/// </summary>
public sealed class RemoteEmbeddingTests : IDisposable
{
    private readonly TempDirectory _dir = new("jobs-remote-embed");
    private string Lake => _dir.Combine("lake");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Embed_FaultyOpenAiEndpoint_EveryChunkEmbeddedOrDeadLettered()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token);
        server.PoisonInputs[EmbedTestData.PoisonText] = true;
        Fault[] faults = [Fault.TooManyRequestsSeconds, Fault.Unavailable, Fault.Slow, Fault.Drop, Fault.MalformedJson, Fault.MissingItem,
            Fault.WrongDimension, Fault.NaN, Fault.Shuffled, Fault.TooManyRequestsMs, Fault.UnavailableDate];
        foreach (var f in faults) server.Faults.Enqueue(f);

        // Four malformed answers could all reach one request: a budget of five keeps an innocent input out of the dead letters.
        var run = await StageRun.RunAsync(new EmbedStage(), [.. Args(server, "openai"), "--max-dead-letter-share", "0.05", "--payload-attempts", "5"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Empty(server.Faults); // every fault was served
        var seen = server.Seen;
        Assert.All(faults, f => Assert.Contains(seen, r => r.Fault == f));

        // Every chunk but the poison has exactly one row with the server's vector for its text.
        var rows = await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, Token);
        var poison = chunks.Single(c => c.Text == EmbedTestData.PoisonText);
        Assert.Equal(chunks.Count - 1, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.ChunkId).Distinct().Count());
        var byId = chunks.ToDictionary(c => c.ChunkId);
        Assert.All(rows, r =>
        {
            Assert.Equal(FaultyEmbeddingServer.VectorOf(byId[r.ChunkId].Text), r.Embedding);
            Assert.Equal(EmbeddingModels.Default.Id, r.Model);
        });
        Assert.DoesNotContain(rows, r => r.ChunkId == poison.ChunkId);

        // The poison input alone is dead-lettered, with its cause.
        var dead = Assert.Single(await EmbedTestData.ReadAsync(Lake, LakeTables.DeadLetters, Token));
        Assert.Equal((poison.ChunkId, poison.ContentHash, "http_500", EmbeddingModels.Default.Id), (dead.ChunkId, dead.ContentHash, dead.ErrorClass, dead.Model));
        Assert.True(dead.Attempts >= 2, $"attempts {dead.Attempts}");
        Assert.Equal(dead.FirstSeen, dead.LastSeen);

        // Counts reconcile: chunks = embedded + reused (the duplicated passages) + dead-lettered.
        var counts = run.Counts;
        Assert.Equal(chunks.Count, counts["chunks"]);
        Assert.Equal(counts["chunks"], counts["embedded"] + counts["reused"] + counts["dead_lettered"]);
        Assert.Equal((chunks.Count - 1 - EmbedTestData.Duplicates, EmbedTestData.Duplicates, 1L), (counts["embedded"], counts["reused"], counts["dead_lettered"]));
        // The batch size set is the one used: full batches of 4 (a last short one, and the halves of a split batch).
        Assert.All(seen, r => Assert.InRange(r.Inputs.Count, 1, 4));
        Assert.True(seen.Count(r => r.Inputs.Count == 4) >= (chunks.Count - EmbedTestData.Duplicates) / 4 - 1);
        // Each text was asked for successfully once: nothing was paid for twice.
        var answered = seen.Where(r => r.Fault is Fault.None or Fault.Shuffled).SelectMany(r => r.Inputs).ToList();
        Assert.Equal(answered.Count, answered.Distinct().Count());

        // Waits honoured, measured at the server: the retry of a request that asked for a wait came no earlier.
        foreach (var asked in seen.Where(r => r.AskedWait is not null || r.AskedUntil is not null))
        {
            asked.AssertHonouredBy(seen.First(r => r.Number > asked.Number && r.Inputs.SequenceEqual(asked.Inputs)));
        }
        // The slow answer was abandoned by the client (attempt timeout) and asked again.
        var slow = seen.Single(r => r.Fault == Fault.Slow);
        Assert.True(slow.ClientGaveUp);
        Assert.Contains(seen, r => r.Number > slow.Number && r.Inputs.SequenceEqual(slow.Inputs)); // asked again (that try may meet the next fault)
        Assert.Contains(seen, r => r.Inputs.SequenceEqual(slow.Inputs) && r.Fault is Fault.None or Fault.Shuffled);
    }

    [Fact]
    public async Task Embed_RerunAndReplay_NoCallsForKnownTextThenDeadLettersRecovered()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token);
        server.PoisonInputs[EmbedTestData.PoisonText] = true;
        var first = await StageRun.RunAsync(new EmbedStage(), [.. Args(server, "openai"), "--max-dead-letter-share", "0.05"]);
        Assert.True(first.ExitCode == ExitCodes.Success, first.Log);
        var calls = server.Seen.Count;

        // A plain re-run: every vector reused, the known poison left for the replay: no model call at all.
        var again = await StageRun.RunAsync(new EmbedStage(), [.. Args(server, "openai"), "--max-dead-letter-share", "0.05"]);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Log);
        Assert.Equal(calls, server.Seen.Count);
        Assert.Equal((0L, chunks.Count - 1L, 1L), (again.Counts["embedded"], again.Counts["reused"], again.Counts["dead_lettered"]));
        var dead = Assert.Single(await EmbedTestData.ReadAsync(Lake, LakeTables.DeadLetters, Token));

        // The endpoint is fixed: the replay embeds the dead letter alone and removes it.
        server.PoisonInputs.Clear();
        var replay = await StageRun.RunAsync(new EmbedStage(), [.. Args(server, "openai"), "--replay-dead-letters"]);
        Assert.True(replay.ExitCode == ExitCodes.Success, replay.Log);
        var replayed = server.Seen.Skip(calls).ToList();
        Assert.Equal([EmbedTestData.PoisonText], replayed.SelectMany(r => r.Inputs).Distinct());
        Assert.Equal((1L, 1L, 0L), (replay.Counts["embedded"], replay.Counts["recovered"], replay.Counts["dead_lettered"]));
        Assert.Empty(await EmbedTestData.ReadAsync(Lake, LakeTables.DeadLetters, Token));
        var rows = await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, Token);
        Assert.Equal(chunks.Count, rows.Count);
        Assert.Equal(FaultyEmbeddingServer.VectorOf(EmbedTestData.PoisonText), rows.Single(r => r.ChunkId == dead.ChunkId).Embedding);
    }

    [Fact]
    public async Task Embed_DeadLetterShareAboveTheLimit_ExitsFourAfterCommitting()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token);
        server.PoisonInputs[EmbedTestData.PoisonText] = true;

        var run = await StageRun.RunAsync(new EmbedStage(), [.. Args(server, "openai"), "--max-dead-letter-share", "0"]);

        Assert.Equal(ExitCodes.QualityGate, run.ExitCode);
        Assert.Contains("dead-lettered, above --max-dead-letter-share", run.Log, StringComparison.Ordinal);
        Assert.Equal(chunks.Count - 1, (await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, Token)).Count);
        Assert.Single(await EmbedTestData.ReadAsync(Lake, LakeTables.DeadLetters, Token));
    }

    [Theory]
    [InlineData("tei", Fault.Unavailable)]
    [InlineData("tei", Fault.MissingItem)]
    [InlineData("ollama", Fault.MalformedJson)]
    [InlineData("ollama", Fault.NaN)]
    public async Task Embed_TeiAndOllama_FaultRetriedAndVectorsRight(string provider, Fault fault)
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        var chunks = await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false);
        server.Faults.Enqueue(fault);

        var run = await StageRun.RunAsync(new EmbedStage(), Args(server, provider));

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Contains(server.Seen, r => r.Fault == fault);
        Assert.All(server.Seen, r => Assert.Equal(provider, r.Path));
        var rows = await EmbedTestData.ReadAsync(Lake, LakeTables.Embeddings, Token);
        Assert.Equal(chunks.Count, rows.Count);
        var byId = chunks.ToDictionary(c => c.ChunkId);
        Assert.All(rows, r => Assert.Equal(FaultyEmbeddingServer.VectorOf(byId[r.ChunkId].Text), r.Embedding));
    }

    [Fact]
    public async Task Embed_ApiKeyFromNamedVariable_SentAsBearerAndNeverLogged()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false);
        const string key = "sk-test-0123456789abcdef";
        // The variable comes from the runner's environment (a pod's env, here the test's), never from the settings.
        var run = await StageRun.RunAsync(new EmbedStage(), new Dictionary<string, string> { ["EMBEDDINGS_API_KEY"] = key },
            [.. Args(server, "openai"), "--api-key-env", "EMBEDDINGS_API_KEY"]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.NotEmpty(server.Seen);
        Assert.All(server.Seen, r => Assert.Equal($"Bearer {key}", r.Authorization));
        Assert.DoesNotContain(key, run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_EndpointDown_CircuitOpensAndTheRunFailsRetryablyWithoutCommitting()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false);
        server.AlwaysStatus = 503;

        var run = await StageRun.RunAsync(new EmbedStage(), [.. Args(server, "openai"), "--circuit-minimum-throughput", "10", "--max-dead-letter-share", "1"]);

        // An outage is not the inputs' fault: exit 1 (retry later), no chunk dead-lettered, nothing committed.
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("BrokenCircuitException", run.Log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Lake, "embeddings", "_delta_log")));
        Assert.False(Directory.Exists(Path.Combine(Lake, "dead_letters", "_delta_log")));
        Assert.True(server.Seen.Count < 40, $"{server.Seen.Count} requests: the open circuit should stop the calls");
    }

    [Fact]
    public async Task Embed_CredentialsRefused_ExitsTwoAfterOneCall()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        await EmbedTestData.WriteChunksAsync(Lake, Token, poison: false);
        server.AlwaysStatus = 401;

        var run = await StageRun.RunAsync(new EmbedStage(), Args(server, "openai"));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("HTTP 401", run.Log, StringComparison.Ordinal);
        // A 401 is neither retried nor split: each batch in flight (two at most) was asked once.
        Assert.InRange(server.Seen.Count, 1, 2);
        Assert.Equal(server.Seen.Count, server.Seen.Select(r => string.Join('\n', r.Inputs)).Distinct().Count());
    }

    [Fact]
    public async Task Options_RemoteProviderProblems_AllReportedWithExitTwo()
    {
        string[] chunk = ["--start", "2024-01-01", "--end", "2024-01-03", "--lake", Lake];
        var missing = await StageRun.RunAsync(new EmbedStage(), [.. chunk, "--provider", "openai", "--dimensions", "100", "--api-key-env", "JOBS_NO_SUCH_VARIABLE_X"]);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("--provider openai needs --endpoint", missing.Log, StringComparison.Ordinal);
        Assert.Contains("--dimensions 100 does not match model snowflake-arctic-embed-xs, which has 384", missing.Log, StringComparison.Ordinal);
        Assert.Contains("--api-key-env JOBS_NO_SUCH_VARIABLE_X: that environment variable is not set", missing.Log, StringComparison.Ordinal);

        var unknown = await StageRun.RunAsync(new EmbedStage(), [.. chunk, "--provider", "cohere", "--validate-args"]);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("--provider 'cohere' is not one of onnx, openai, ollama, tei", unknown.Log, StringComparison.Ordinal);

        var relative = await StageRun.RunAsync(new EmbedStage(), [.. chunk, "--provider", "tei", "--endpoint", "tei:8080/", "--validate-args"]);
        Assert.Equal(ExitCodes.Usage, relative.ExitCode);
        Assert.Contains("is not an absolute http(s) URL", relative.Log, StringComparison.Ordinal);

        var printed = await StageRun.RunAsync(new EmbedStage(), [.. chunk, "--provider", "openai", "--endpoint", "http://127.0.0.1:9/v1", "--api-key", "sk-secret-value", "--print-config"]);
        Assert.Equal(ExitCodes.Success, printed.ExitCode);
        Assert.DoesNotContain("sk-secret-value", printed.Output, StringComparison.Ordinal);
        Assert.Contains("***", printed.Output, StringComparison.Ordinal);
        Assert.Contains("\"Provider\": \"openai\"", printed.Output, StringComparison.Ordinal);
    }

    private string[] Args(FaultyEmbeddingServer server, string provider) =>
    [
        "--start", "2024-01-01", "--end", "2024-01-03", "--lake", Lake, "--provider", provider,
        "--endpoint", provider == "openai" ? new Uri(server.BaseAddress, "v1").ToString() : server.BaseAddress.ToString(),
        "--batch-size", "4", "--max-concurrency", "2", "--retry-base-delay-ms", "1", "--retry-max-delay-seconds", "0.05",
        "--attempt-timeout-seconds", "1", "--total-timeout-seconds", "30",
    ];

    public void Dispose() => _dir.Dispose();
}
