using System.Diagnostics;
using System.Runtime.InteropServices;
using Jobs.Chunk;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>SIGTERM (what Kubernetes sends first) stops a stage at its next batch boundary, commits nothing, exits 143.</summary>
public sealed partial class SignalTests : IDisposable
{
    private readonly TempDirectory _lake = new("sigterm");

    [Fact]
    public async Task Embed_Sigterm_ExitsWith143AndCommitsNothing()
    {
        string[] chunk = ["--start", "1961-01-01", "--end", "1966-01-01", "--lake", _lake.Path];
        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), [.. chunk, "--source", SampleFiles.SotuCsv, .. SampleFiles.SotuMapping])).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), chunk)).ExitCode);

        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // Batches of one chunk: ~180 model calls, so the run is still embedding when the first batch is logged.
        string[] args = [Path.Combine(AppContext.BaseDirectory, "jobs-embed.dll"), .. chunk, "--batch-size", "1", "--log-format", "json"];
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["JOBS_LOG_LEVEL"] = "Debug";
        var log = new System.Text.StringBuilder();
        var embedding = new TaskCompletionSource();
        using var embed = new Process { StartInfo = info };
        embed.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains("Embedded a batch", StringComparison.Ordinal)) embedding.TrySetResult();
        };
        embed.Start();
        embed.BeginErrorReadLine();
        embed.BeginOutputReadLine();
        // Stop it part-way, as Kubernetes would, once the first batch is embedded: an event, not a delay, so a slow
        // (loaded) machine only waits longer. The wait bounds a hung process, it does not time the stage.
        await embedding.Task.WaitAsync(TimeSpan.FromMinutes(10), TestContext.Current.CancellationToken);
        Assert.False(embed.HasExited, "embed finished before it could be stopped; the test needs a longer input");
        Assert.Equal(0, Kill(embed.Id, 15));
        await embed.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Cancelled, embed.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_lake.Path, "embeddings", "_delta_log")), "a stopped run must not commit");
        lock (log) Assert.Contains("exit code 143", log.ToString());
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose() => _lake.Dispose();
}
