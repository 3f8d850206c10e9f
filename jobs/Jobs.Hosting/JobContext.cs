using Jobs.Contracts;

namespace Jobs.Hosting;

/// <summary>What a stage run is given by the contract: its date chunk, where the lake and database are, its run id.</summary>
public sealed class JobContext(string stage, DateChunk? chunk, string? lake, string? postgres, string runId, TextWriter output)
{
    public string Stage => stage;
    public DateChunk? ChunkOrNull => chunk;
    public DateChunk Chunk => chunk ?? throw new InvalidOperationException($"{stage} was run without a date chunk");
    public string Lake => lake ?? throw new InvalidOperationException($"{stage} was run without a lake");
    public string? LakeOrNull => lake;
    public string Postgres => postgres ?? throw new InvalidOperationException($"{stage} was run without a connection string");
    public string? PostgresOrNull => postgres;
    public string RunId { get; } = runId;
    /// <summary>Where a command writes its result (search hits); logs never go here.</summary>
    public TextWriter Output { get; } = output;
}
