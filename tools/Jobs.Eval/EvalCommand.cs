using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.LocalRun;
using Jobs.Store;

namespace Jobs.Eval;

/// <summary>
/// <c>make eval BEIR=&lt;dir&gt;</c>: loads a BEIR collection through the real pipeline (ingest → chunk → embed →
/// validate → load, in-process, one date chunk) into a scratch lake and a database of its own, then asks every test
/// query in each mode and prints one JSON object: nDCG@10, Recall@10, Recall@100 (documents scored by their best
/// chunk) and the search latency p50/p99 per mode.
/// </summary>
public static class EvalCommand
{
    private const string Day = "2000-01-01";

    public static async Task<int> RunAsync(string[] args)
    {
        var beir = new Option<string>("--beir") { Description = "BEIR folder (corpus.jsonl, queries.jsonl, qrels/)", Required = true };
        var split = new Option<string>("--split") { DefaultValueFactory = _ => "test" };
        var titleInText = new Option<bool>("--title-in-text") { Description = "Also put each document's title on the first line of its text (the chunk stage already gives it to the embedder as context; see --context-max-tokens)" };
        var maxTokens = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 256 };
        var contextTokens = new Option<int?>("--context-max-tokens") { Description = "Chunk --context-max-tokens: title tokens given to the embedder with each chunk (0: none; default the chunk stage's)" };
        var modes = new Option<string[]>("--mode") { Description = "Modes to measure (repeat; default all)" };
        var root = new RootCommand("Retrieval quality of the pipeline on a BEIR collection") { beir, split, titleInText, maxTokens, contextTokens, modes };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 || parse.Action is not null) return await parse.InvokeAsync();

        var collection = BeirCollection.Load(parse.GetValue(beir)!, parse.GetValue(split)!);
        var context = parse.GetValue(contextTokens);
        var variant = $"{collection.Name}-{parse.GetValue(maxTokens)}{(parse.GetValue(titleInText) ? "-title" : "")}{(context is { } c ? $"-context{c}" : "")}";
        var scratch = Path.GetFullPath(Path.Combine(".lake", "eval", variant));
        var source = Path.Combine(scratch, "source", "corpus.jsonl");
        var documents = collection.WriteDatedCorpus(source, Day, parse.GetValue(titleInText));
        var log = Console.Error;
        await log.WriteLineAsync($"eval: {collection.Name}: {documents} documents, {collection.Queries.Count} queries with judgements; lake {scratch}/lake");

        var postgres = LocalPostgres.Create(name: "jobs-eval-pg");
        await postgres.StartAsync();
        var pg = await LocalPostgres.DatabaseAsync(postgres.GetConnectionString(), variant.Replace('-', '_').Replace('.', '_').ToLowerInvariant(), fresh: false);

        var clock = Stopwatch.StartNew();
        var chunk = new DateChunk(DateChunk.ParseDay(Day), DateChunk.ParseDay(Day).AddDays(1));
        string[] sourceArgs = ["--source", source, "--time-field", "timestamp", "--id-field", "id"];
        var quiet = new JobRunnerSettings { LogOutput = TextWriter.Null, JsonLogs = true };
        foreach (var step in PipelinePlan.For([chunk], Path.Combine(scratch, "lake"), pg, sourceArgs))
        {
            string[] stepArgs = step.Stage.Name == "chunk" ? [.. step.Args, "--max-tokens", parse.GetValue(maxTokens).ToString(System.Globalization.CultureInfo.InvariantCulture),
                .. context is { } n ? new[] { "--context-max-tokens", n.ToString(System.Globalization.CultureInfo.InvariantCulture) } : []] : step.Args;
            var code = await JobRunner.RunAsync(step.Stage, stepArgs, quiet);
            await log.WriteLineAsync($"eval: {step.Stage.Name} exit {code} ({clock.Elapsed.TotalSeconds:F0} s)");
            if (code != ExitCodes.Success) return code;
        }

        var model = EmbeddingModels.Default;
        using var generator = new OnnxEmbeddingGenerator(EmbeddingModelFiles.Locate(modelDir: null), model);
        var ids = collection.Queries.Keys.Order(StringComparer.Ordinal).ToList();
        var vectors = await generator.GenerateAsync(ids.Select(id => model.ForQuery(collection.Queries[id])));
        await using var dataSource = PgDataSource.Create(pg);
        var search = new HybridSearch(dataSource);
        var measured = parse.GetValue(modes) is { Length: > 0 } m
            ? m.Select(x => Enum.Parse<SearchMode>(x, ignoreCase: true)).ToArray()
            : [SearchMode.Vector, SearchMode.Fulltext, SearchMode.Hybrid];
        var results = new Dictionary<string, object>();
        foreach (var mode in measured)
        {
            double ndcg = 0, r10 = 0, r100 = 0;
            var latencies = new List<double>();
            for (var i = 0; i < ids.Count; i++)
            {
                var request = new SearchRequest { Query = collection.Queries[ids[i]], Mode = mode, K = 100, GroupByDocument = true, Candidates = 500, EfSearch = 500 };
                var watch = Stopwatch.StartNew();
                var hits = await search.SearchAsync(request, vectors[i].Vector.ToArray());
                latencies.Add(watch.Elapsed.TotalMilliseconds);
                var ranked = hits.Select(h => h.DocId).ToList();
                var judged = collection.Qrels[ids[i]];
                ndcg += RetrievalMetrics.Ndcg(ranked, judged, 10);
                r10 += RetrievalMetrics.Recall(ranked, judged, 10);
                r100 += RetrievalMetrics.Recall(ranked, judged, 100);
            }
            results[mode.ToString().ToLowerInvariant()] = new
            {
                ndcg_at_10 = Math.Round(ndcg / ids.Count, 4),
                recall_at_10 = Math.Round(r10 / ids.Count, 4),
                recall_at_100 = Math.Round(r100 / ids.Count, 4),
                latency_ms_p50 = Math.Round(RetrievalMetrics.Percentile(latencies, 50), 1),
                latency_ms_p99 = Math.Round(RetrievalMetrics.Percentile(latencies, 99), 1),
            };
            await log.WriteLineAsync($"eval: {mode} measured");
        }
        Console.Out.WriteLine(JsonSerializer.Serialize(new
        {
            collection = collection.Name, split = parse.GetValue(split), documents, queries = ids.Count, model = model.Id,
            max_tokens = parse.GetValue(maxTokens), title_in_text = parse.GetValue(titleInText), context_max_tokens = context, modes = results,
        }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
