using System.Text.Json;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Store;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Search;

/// <summary>
/// Answers plain-language queries: embeds each query (with the model's query prefix) and prints the nearest chunks
/// by cosine distance, with document id, date and score. --start/--end, when given, filter by day.
/// </summary>
public sealed class SearchStage : Stage<SearchWork>
{
    public override string Name => "search";
    public override string Description => "Query text → top-k passages: vector (pgvector HNSW), full-text, or hybrid (reciprocal rank fusion)";
    public override bool RequiresPostgres => true;
    public override bool RequiresLake => false;
    public override bool RequiresDateChunk => false;
    public override IReadOnlyList<OptionsSection> Sections =>
        [OptionsSection.Of<SearchOptions>(SearchOptions.Section), ModelServices.Section, OptionsSection.Of<EmbeddingClientOptions>(EmbeddingClientOptions.Section)];

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddEmbeddingModel().AddEmbeddings(sp => sp.GetRequiredService<JobRunnerSettings>().Variable).AddStore(sp => sp.GetRequiredService<JobContext>().Postgres);

    /// <summary>The model loads.</summary>
    public override IEnumerable<string> Preflight(IServiceProvider services)
    {
        if (services.GetRequiredService<SearchOptions>().Mode != SearchMode.Fulltext)
            services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        return [];
    }
}

public sealed partial class SearchWork(SearchOptions options, EmbeddingModel model, IEmbeddingGenerator<string, Embedding<float>> generator,
    HybridSearch search, JobContext context, ILogger<SearchWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var queries = options.Query;
        var vectors = options.Mode == SearchMode.Fulltext
            ? null
            : await generator.GenerateAsync(queries.Select(model.ForQuery), cancellationToken: cancellationToken).ConfigureAwait(false);
        long hits = 0;
        for (var i = 0; i < queries.Length; i++)
        {
            var request = new SearchRequest
            {
                Query = queries[i], Mode = options.Mode, K = options.TopK, Category = options.Category, Theme = options.Theme, From = context.ChunkOrNull?.Start,
                To = context.ChunkOrNull?.End, GroupByDocument = options.GroupByDocument, EfSearch = options.EfSearch, RrfK = options.RrfK,
            };
            var results = await search.SearchAsync(request, vectors?[i].Vector.ToArray(), cancellationToken).ConfigureAwait(false);
            hits += results.Count;
            Answered(i, results.Count);
            if (options.Format == SearchOutput.Jsonl) WriteJsonLines(context.Output, queries[i], results);
            else WriteText(context.Output, queries[i], results);
        }
        return StageResult.Of(queries.Length, ("queries", queries.Length), ("hits", hits));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Query {QueryIndex} returned {Hits} hits")]
    private partial void Answered(int queryIndex, int hits);

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
                ordinal = h.Ordinal, title = h.Title, category = h.Category, theme = h.Theme, text = h.Text,
            }));
    }

    private static string Snippet(string text, int max)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
