using System.Diagnostics;
using System.Runtime.InteropServices;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Embeddings.Tests;

/// <summary>A pod killed with SIGKILL half-way resumes from its last progress commit and ends as an uninterrupted run.</summary>
public sealed partial class EmbedResumeTests : IDisposable
{
    private readonly TempDirectory _dir = new("jobs-embed-resume");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Embed_SigkillMidRun_RerunEmbedsOnlyWhatWasNotCommitted()
    {
        await using var server = await FaultyEmbeddingServer.StartAsync(Token);
        server.Latency = TimeSpan.FromMilliseconds(150);
        var lake = _dir.Combine("killed");
        var chunks = await EmbedTestData.WriteChunksAsync(lake, Token, poison: false, count: 80);

        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])[EmbedDll, .. Args(server, lake), "--log-format", "json"]) info.ArgumentList.Add(a);
        var log = new System.Text.StringBuilder();
        var progressCommits = 0;
        var twoCommits = new TaskCompletionSource();
        using (var embed = new Process { StartInfo = info })
        {
            embed.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (log) log.AppendLine(e.Data);
                if (e.Data.Contains("Committed progress", StringComparison.Ordinal) && Interlocked.Increment(ref progressCommits) == 2) twoCommits.TrySetResult();
            };
            embed.Start();
            embed.BeginErrorReadLine();
            await twoCommits.Task.WaitAsync(TimeSpan.FromMinutes(10), Token); // bounds a hung process only
            Assert.Equal(0, Kill(embed.Id, 9)); // SIGKILL: no handler, no cleanup
            await embed.WaitForExitAsync(Token);
            Assert.NotEqual(0, embed.ExitCode);
        }
        Assert.False(Directory.Exists(Path.Combine(lake, "embeddings", "_delta_log")), "the killed run got to its final commit; the test needs a longer input");
        var committed = (await EmbedTestData.ReadAsync(lake, LakeTables.EmbeddingProgress, Token)).Select(r => r.ChunkId).ToHashSet();
        Assert.InRange(committed.Count, 16, chunks.Count - 1);
        var before = server.Seen.Count;

        var rerun = await StageRun.RunAsync(new EmbedStage(), Args(server, lake));

        Assert.True(rerun.ExitCode == ExitCodes.Success, rerun.Log);
        var rerunInputs = server.Seen.Skip(before).SelectMany(r => r.Inputs).ToList();
        var notCommitted = chunks.Where(c => !committed.Contains(c.ChunkId)).Select(c => c.Text).ToList();
        Assert.Equal(notCommitted.Distinct().Order(), rerunInputs.Order()); // exactly the rest, each once
        Assert.Equal(rerun.Counts["chunks"], rerun.Counts["embedded"] + rerun.Counts["reused"] + rerun.Counts["dead_lettered"]);
        Assert.Empty(await EmbedTestData.ReadAsync(lake, LakeTables.EmbeddingProgress, Token)); // spent once committed

        // The final state equals an uninterrupted run's.
        var clean = _dir.Combine("clean");
        await EmbedTestData.WriteChunksAsync(clean, Token, poison: false, count: 80);
        server.Latency = TimeSpan.Zero;
        Assert.Equal(ExitCodes.Success, (await StageRun.RunAsync(new EmbedStage(), Args(server, clean))).ExitCode);
        Assert.Equal(await Vectors(clean), await Vectors(lake));
    }

    /// <summary>The stage as its image runs it: its own build output (this folder carries ASP.NET Core's assemblies instead).</summary>
    private static string EmbedDll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // bin/<Configuration>/<tfm>
            return Path.Combine(RepoPaths.Root, "jobs", "Jobs.Embed", "bin", output.Parent!.Name, output.Name, "jobs-embed.dll");
        }
    }

    private static async Task<List<(string, DateOnly, string)>> Vectors(string lake) =>
        [.. (await EmbedTestData.ReadAsync(lake, LakeTables.Embeddings, Token))
            .Select(r => (r.ChunkId, r.Day, string.Join(',', r.Embedding.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))))
            .Order()];

    private static string[] Args(FaultyEmbeddingServer server, string lake) =>
    [
        "--start", "2024-01-01", "--end", "2024-01-03", "--lake", lake, "--provider", "openai", "--endpoint", new Uri(server.BaseAddress, "v1").ToString(),
        "--batch-size", "4", "--max-concurrency", "1", "--progress-every", "8", "--retry-base-delay-ms", "1",
    ];

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose() => _dir.Dispose();
}
