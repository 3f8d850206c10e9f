using System.CommandLine;
using Jobs.Contracts;
using Microsoft.Extensions.Logging;

namespace Jobs.Hosting;

/// <summary>Everything a stage run is given: the date chunk, where the lake and database are, and its logger.</summary>
public sealed class JobContext(
    string stage, DateChunk? chunk, string lake, string? postgres, string runId, ILoggerFactory loggerFactory, ParseResult parse, TextWriter output)
{
    public string Stage => stage;
    public DateChunk? ChunkOrNull => chunk;
    public DateChunk Chunk => chunk ?? throw new InvalidOperationException($"{stage} was run without a date chunk");
    public string Lake { get; } = lake;
    public string Postgres => postgres ?? throw new InvalidOperationException($"{stage} was run without a connection string");
    public string? PostgresOrNull => postgres;
    public string RunId { get; } = runId;
    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
    /// <summary>Where a command writes its result (search hits); logs never go here.</summary>
    public TextWriter Output { get; } = output;

    public T? Get<T>(Option<T> option) => parse.GetValue(option);
}
