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
        string[] args = [Path.Combine(AppContext.BaseDirectory, "jobs-embed.dll"), .. chunk, "--batch-size", "8", "--log-format", "json"];
        foreach (var a in args) info.ArgumentList.Add(a);
        var log = new System.Text.StringBuilder();
        var embedding = new TaskCompletionSource();
        using var embed = new Process { StartInfo = info };
        embed.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains("Loaded model", StringComparison.Ordinal)) embedding.TrySetResult();
        };
        embed.Start();
        embed.BeginErrorReadLine();
        // Once the model is loaded it embeds ~180 chunks in batches of 8 (seconds of work): stop it part-way, as Kubernetes would.
        await embedding.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
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
