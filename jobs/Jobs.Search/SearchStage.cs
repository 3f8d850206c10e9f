using System.CommandLine;
using System.Text.Json;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Store;
using Microsoft.Extensions.Logging;

namespace Jobs.Search;

/// <summary>
/// Answers plain-language queries: embeds each query (with the model's query prefix) and prints the nearest chunks
/// by cosine distance, with document id, date and score. --start/--end, when given, filter by day.
/// </summary>
public sealed class SearchStage : Stage
{
    private readonly Option<string[]> _query = new("--query", "-q") { Description = "Query text (repeatable)", Required = true };
    private readonly Option<int> _topK = new("--top-k", "-k") { Description = "Results per query", DefaultValueFactory = _ => 5 };
    private readonly Option<string> _format = new("--format") { Description = "text or jsonl", DefaultValueFactory = _ => "text" };

    public override string Name => "search";
    public override string Description => "Query text → top-k chunks by cosine distance (pgvector HNSW)";
    public override bool RequiresPostgres => true;
    public override bool RequiresDateChunk => false;
    public override IEnumerable<Option> Options => [_query, _topK, _format];

    public override void Validate(JobContext context)
    {
        if (context.Get(_topK) is < 1 or > 1000) throw new JobConfigurationException($"--top-k must be within 1..1000, not {context.Get(_topK)}");
        if (context.Get(_format) is not ("text" or "jsonl")) throw new JobConfigurationException($"--format must be text or jsonl, not '{context.Get(_format)}'");
        if (context.Get(_query)!.Any(string.IsNullOrWhiteSpace)) throw new JobConfigurationException("--query must not be empty");
    }

    public override async Task<StageResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var log = context.LoggerFactory.CreateLogger<SearchStage>();
        var queries = context.Get(_query)!;
        using var generator = new OnnxEmbeddingGenerator(EmbeddingModelFiles.Locate());
        var vectors = await generator.GenerateAsync(queries.Select(q => ModelInfo.QueryPrefix + q), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var dataSource = PgDataSource.Create(context.Postgres);
        long hits = 0;
        for (var i = 0; i < queries.Length; i++)
        {
            var results = await VectorSearch.SearchAsync(dataSource, vectors[i].Vector.ToArray(), context.Get(_topK),
                context.ChunkOrNull?.Start, context.ChunkOrNull?.End, cancellationToken).ConfigureAwait(false);
            hits += results.Count;
            log.LogInformation("Query {QueryIndex} returned {Hits} hits", i, results.Count);
            if (context.Get(_format) == "jsonl") WriteJsonLines(context.Output, queries[i], results);
            else WriteText(context.Output, queries[i], results);
        }
        return StageResult.Of(queries.Length, ("queries", queries.Length), ("hits", hits));
    }

    private static void WriteText(TextWriter output, string query, IReadOnlyList<SearchHit> hits)
    {
        output.WriteLine($"Query: {query}");
        for (var i = 0; i < hits.Count; i++)
        {
            var h = hits[i];
            output.WriteLine($"  {i + 1}. [{h.Score:F3}] {h.Day:yyyy-MM-dd} {h.DocId} #{h.Ordinal}  {h.Title}");
            output.WriteLine($"     {Snippet(h.Text, 220)}");
        }
        output.WriteLine();
    }

    private static void WriteJsonLines(TextWriter output, string query, IReadOnlyList<SearchHit> hits)
    {
        foreach (var (h, rank) in hits.Select((h, i) => (h, i + 1)))
            output.WriteLine(JsonSerializer.Serialize(new
            {
                query, rank, score = Math.Round(h.Score, 4), doc_id = h.DocId, day = h.Day.ToString("yyyy-MM-dd"), chunk_id = h.ChunkId,
                ordinal = h.Ordinal, title = h.Title, text = h.Text,
            }));
    }

    private static string Snippet(string text, int max)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
