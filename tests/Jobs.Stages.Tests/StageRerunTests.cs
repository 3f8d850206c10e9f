using Jobs.Chunk;
using Jobs.Contracts;
using Jobs.Tables;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Testing;
using Jobs.Validate;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>Each lake stage run twice on the same date chunk: the second run changes nothing and embeds nothing.</summary>
public sealed class StageRerunTests : IDisposable
{
    private readonly TempDirectory _lake = new("lake");

    private string[] Chunk(params string[] extra) => ["--start", "1961-01-01", "--end", "1966-01-01", "--lake", _lake.Path, .. extra];

    private async Task<long> Rows<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(_lake.Path, spec).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).CountAsync();

    [Fact]
    public async Task IngestChunkEmbedValidate_Twice_SameRowsAndNoSecondEmbedding()
    {
        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), Chunk(["--source", SampleFiles.SotuCsv, .. SampleFiles.SotuMapping]))).ExitCode);
        var chunk = await StageRun.RunAsync(new ChunkStage(), Chunk());
        var embed = await StageRun.RunAsync(new EmbedStage(), Chunk());
        var validate = await StageRun.RunAsync(new ValidateStage(), Chunk());
        Assert.Equal((0, 0, 0), (chunk.ExitCode, embed.ExitCode, validate.ExitCode));
        var chunks = chunk.Counts["chunks"];
        Assert.True(chunks > 50, $"{chunks} chunks");
        Assert.Equal(chunks, embed.Counts["embedded"]);
        var counts = (await Rows(LakeTables.Documents), await Rows(LakeTables.Chunks), await Rows(LakeTables.Embeddings));
        Assert.Equal((6L, chunks, chunks), counts);

        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), Chunk(["--source", SampleFiles.SotuCsv, .. SampleFiles.SotuMapping]))).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), Chunk())).ExitCode);
        var again = await StageRun.RunAsync(new EmbedStage(), Chunk());
        Assert.Equal(0, again.ExitCode);
        Assert.Equal((0L, chunks), (again.Counts["embedded"], again.Counts["reused"]));
        Assert.Equal(counts, (await Rows(LakeTables.Documents), await Rows(LakeTables.Chunks), await Rows(LakeTables.Embeddings)));
        Assert.Equal(0, (await StageRun.RunAsync(new ValidateStage(), Chunk())).ExitCode);

        var refresh = await StageRun.RunAsync(new EmbedStage(), Chunk("--full-refresh"));
        Assert.Equal((0L, chunks, 0L), ((long)refresh.ExitCode, refresh.Counts["embedded"], refresh.Counts["reused"]));
        Assert.Equal(chunks, await Rows(LakeTables.Embeddings));
    }

    [Fact]
    public async Task Validate_ChunksWithoutEmbeddings_FailsTheGateWithExitFour()
    {
        await StageRun.RunAsync(new IngestStage(), Chunk(["--source", SampleFiles.BadRecords, "--time-field", "date", "--max-quarantined-share", "1"]));
        await StageRun.RunAsync(new IngestStage(), ["--start", "2001-01-01", "--end", "2002-01-01", "--lake", _lake.Path, "--source", SampleFiles.BadRecords, "--time-field", "date", "--max-quarantined-share", "1"]);
        await StageRun.RunAsync(new ChunkStage(), ["--start", "2001-01-01", "--end", "2002-01-01", "--lake", _lake.Path]);
        var run = await StageRun.RunAsync(new ValidateStage(), ["--start", "2001-01-01", "--end", "2002-01-01", "--lake", _lake.Path]);
        Assert.Equal(ExitCodes.QualityGate, run.ExitCode);
        Assert.Contains("embed/chunks_have_embeddings observed 2 (threshold 0, 2 of 2 rows", run.Log);
    }

    public void Dispose() => _lake.Dispose();
}
