using Jobs.Chunk;
using Jobs.Embed;
using Jobs.Ingest;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// Ten years of the sample's addresses (1961–1970) ingested, chunked and embedded once with the real model; each theme
/// test works on its own copy of this lake, so the themes one test writes never become another's "previous run".
/// </summary>
public sealed class EmbeddedDecade : IAsyncLifetime
{
    public static readonly string[] Window = ["--start", "1961-01-01", "--end", "1971-01-01"];
    private readonly TempDirectory _lake = new("decade");

    public async ValueTask InitializeAsync()
    {
        string[] args = [.. Window, "--lake", _lake.Path];
        foreach (var (stage, stageArgs) in new (Jobs.Hosting.Stage, string[])[]
                 {
                     (new IngestStage(), [.. args, "--source", SampleFiles.SotuJsonl, .. SampleFiles.SotuMapping]),
                     (new ChunkStage(), args), (new EmbedStage(), args),
                 })
        {
            var run = await StageRun.RunAsync(stage, stageArgs);
            if (run.ExitCode != 0) throw new InvalidOperationException($"{stage.Name} exited {run.ExitCode}: {run.Log}");
        }
    }

    /// <summary>A fresh copy of the embedded lake in <paramref name="target"/>.</summary>
    public void CopyTo(string target)
    {
        foreach (var file in Directory.EnumerateFiles(_lake.Path, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(_lake.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    public ValueTask DisposeAsync()
    {
        _lake.Dispose();
        return ValueTask.CompletedTask;
    }
}
