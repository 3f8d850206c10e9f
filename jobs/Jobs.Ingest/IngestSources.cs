using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Jobs.Ingest;

/// <summary>
/// Turns the --source arguments into the parts a run reads, for its chunk only: files and date templates
/// (<see cref="SourceFiles"/>), the live files of Delta tables that the chunk can hold (<see cref="DeltaSource"/>), and
/// PostgreSQL queries over the chunk's range (<see cref="PostgresQuerySource"/>).
/// </summary>
public sealed partial class IngestSources(IngestOptions options, JobRunnerSettings settings, ILogger<IngestSources> log)
{
    /// <summary>The parts of one source (its locations in its format); <paramref name="before"/>: parts of the run's earlier sources, so query names stay unique.</summary>
    public async Task<(IReadOnlyList<SourceFile> Files, IReadOnlyList<string> Skipped)> ExpandAsync(IngestSource ingestSource, DateChunk chunk, int before, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        var parts = new List<SourceFile>();
        var format = ingestSource.Format;
        foreach (var source in ingestSource.Locations)
        {
            if (format == SourceFormat.Postgres)
                parts.Add(Query(source, chunk, before + parts.Count));
            else if (format == SourceFormat.Delta || (format == SourceFormat.Auto && !SourceFiles.IsTemplate(source) && DeltaSource.IsTable(source)))
            {
                var listing = await DeltaSource.ListAsync(OpenTable(source), source, chunk, ingestSource.TimeField, options.PartitionColumn, cancellationToken).ConfigureAwait(false);
                DeltaListed(listing.Table, listing.Version, listing.LiveFiles, listing.LiveBytes, listing.PrunedByPartition, listing.SkippedByStats, listing.Files.Count, listing.Bytes);
                parts.AddRange(listing.Files);
            }
            else paths.Add(source);
        }
        if (paths.Count == 0) return (parts, []);
        var (files, skipped) = SourceFiles.Expand(paths, format, chunk);
        return ([.. files, .. parts], skipped);
    }

    private ILakeStorage OpenTable(string source)
    {
        try
        {
            return LakeStorage.Open(source, settings.Variable);
        }
        catch (ArgumentException e)
        {
            throw new JobConfigurationException($"--source {source}: {e.Message}");
        }
    }

    private SourceFile Query(string query, DateChunk chunk, int index)
    {
        // Validated before the run: the variable is named and set (SourceOptionsValidator).
        var variable = options.SourcePgEnv!;
        var connection = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(settings.Variable(variable)!)) { Timezone = options.TimeZone };
        if (string.IsNullOrEmpty(connection.ApplicationName)) connection.ApplicationName = "jobs-ingest";
        var name = index == 0 ? "query" : $"query{index + 1}";
        QueryListed(name, connection.Host ?? "", connection.Port, connection.Database ?? "", chunk.ToString());
        return new SourceFile(name, name, SourceFormat.Postgres, Origin: new PostgresQuerySource(connection.ConnectionString, query, chunk, name));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delta source {Table} version {Version}: {LiveFiles} live files ({LiveBytes} bytes); {Pruned} pruned by partition, {Skipped} skipped by timestamp stats; reading {Files} files ({Bytes} bytes)")]
    private partial void DeltaListed(string table, long version, int liveFiles, long liveBytes, int pruned, int skipped, int files, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL source {Name}: the query on {Host}:{Port}/{Database} over {Chunk}")]
    private partial void QueryListed(string name, string host, int port, string database, string chunk);
}
