using System.Diagnostics;
using System.Globalization;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Tables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embed.Bench;

/// <summary>
/// `make bench EMBED_BENCH_ARGS="chunks rounds batch threads corpus"` (default 256 chunks of BEIR SciFact, 3 rounds,
/// the stage's batch of 64, every core). In one run, on the same chunks and the same model, with the same intra-op
/// threads, interleaved rounds compared by median:
/// (1) the bare ONNX Runtime loop over the stage's pre-tokenized, length-grouped batches (the baseline);
/// (2) the stage's embedding path over the same batches: the ids the chunk stage stored → ONNX → pool → normalise →
///     validate, through the ResilientEmbedder and generator the stage resolves (AddEmbeddings);
/// (2b) the same path from text (tokenizing each chunk: rows without stored ids);
/// (3) the whole embed stage through the JobRunner (Delta chunks in, embeddings out, --full-refresh so nothing is
///     reused), the model loaded once outside the timing;
/// (4) the bare loop over arrival-order batches: the effect of length grouping.
/// Prints chunks/s, tokens/s (real tokens, [CLS]/[SEP] included) and the ratios; the goal is (2) and (3) ≥ 90% of (1).
/// </summary>
public static class EmbedBenchmark
{
    /// <summary>EmbedWork's window: batches' worth of chunks sorted by token length at a time.</summary>
    private const int LengthWindowBatches = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var batchSize = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : new EmbedOptions().BatchSize;
        var threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var corpus = args.Length > 4 ? args[4] : Path.Combine("..", "shared", "testdata", "scifact", "corpus.jsonl");
        if (!File.Exists(corpus))
        {
            Console.Error.WriteLine($"embed bench: no corpus at {Path.GetFullPath(corpus)} (a BEIR corpus.jsonl; 5th argument)");
            return 2;
        }
        var work = Path.Combine(Path.GetTempPath(), $"jobs-embed-bench-{Guid.NewGuid():N}");
        try
        {
            await RunAsync(work, corpus, count, rounds, batchSize, threads);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    private static async Task RunAsync(string work, string corpus, int count, int rounds, int batchSize, int threads)
    {
        var modelOptions = new ModelOptions { Threads = threads };
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(modelOptions).AddSingleton(Options.Create(modelOptions))
            .AddEmbeddingModel()
            .AddEmbeddings();
        await using var provider = services.BuildServiceProvider();
        var model = provider.GetRequiredService<EmbeddingModel>();
        var tokenizer = provider.GetRequiredService<BertTokenizer>();
        var chunks = BenchCorpus.Load(corpus, count, tokenizer, model, TokenizerFingerprint.Of(provider.GetRequiredService<EmbeddingModelFiles>(), model));
        var grouped = BenchCorpus.LengthGrouped(chunks, batchSize, LengthWindowBatches);
        var arrival = BenchCorpus.ArrivalOrder(chunks, batchSize);
        var tokens = chunks.Sum(c => (long)c.Ids.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Embed benchmark: {chunks.Count} chunks of {Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(corpus)))} ({tokens:N0} tokens, {tokens / (double)chunks.Count:F0} per chunk), " +
            $"{model.Id}, batch {batchSize}, {threads} intra-op threads, {rounds} rounds; {Environment.ProcessorCount} cores, load average {LoadAverage()}"));

        var lake = Path.Combine(work, "lake");
        await new DeltaTable<ChunkRow>(lake, LakeTables.Chunks).OverwriteAsync(chunks.Select(c => c.Row).ToAsyncEnumerable(), PartitionPredicate.All);
        using var bare = new BareOnnxLoop(provider.GetRequiredService<EmbeddingModelFiles>().ReadModel(), threads, model.Dimensions);
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(); // loads the stage's session
        var embedder = provider.GetRequiredService<ResilientEmbedder>();
        var stage = new StageRunner(lake, batchSize, threads, generator, work);

        // Warm-up: one batch through each path (first-run allocations, thread pools).
        bare.Run([grouped[0]]);
        await embedder.EmbedAsync([.. grouped[0].Select(c => model.ForDocument(c.Row.Text))], CancellationToken.None);
        if (embedder.Tokenizer != chunks[0].Row.Tokenizer) throw new InvalidOperationException("the stage's embedder would not use the stored ids");

        var paths = new (string Name, Func<Task> Step)[]
        {
            ("bare ONNX Runtime loop, length-grouped", () => { bare.Run(grouped); return Task.CompletedTask; }),
            ("stage embedding path, stored ids", async () =>
            {
                foreach (var batch in grouped)
                    await embedder.EmbedAsync([.. batch.Select(c => model.ForDocument(c.Row.Text))], [.. batch.Select(c => c.Row.TokenIds)], CancellationToken.None);
            }),
            ("embed stage (JobRunner, Delta in/out)", stage.RunAsync),
            ("bare ONNX Runtime loop, arrival order", () => { bare.Run(arrival); return Task.CompletedTask; }),
            ("stage embedding path, tokenizing text", async () =>
            {
                foreach (var batch in grouped) await embedder.EmbedAsync([.. batch.Select(c => model.ForDocument(c.Row.Text))], CancellationToken.None);
            }),
        };
        var times = paths.ToDictionary(p => p.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
            for (var i = 0; i < paths.Length; i++)
            {
                var (name, step) = paths[(i + round) % paths.Length]; // rotate the order between rounds
                GC.Collect();
                var clock = Stopwatch.StartNew();
                await step();
                times[name].Add(clock.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round + 1}: {name,-40} {clock.Elapsed.TotalSeconds,8:F2} s"));
            }

        var median = times.ToDictionary(t => t.Key, t => Median(t.Value));
        foreach (var (name, _) in paths)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-40} {median[name],8:F2} s  {chunks.Count / median[name],8:F1} chunks/s  {tokens / median[name],9:N0} tokens/s  (rounds: {string.Join(", ", times[name].Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))})"));
        var baseline = median[paths[0].Name];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  stage embedding path / bare loop: {baseline / median[paths[1].Name]:P1} of the bare loop's chunks/s (goal ≥ 90%); from text {baseline / median[paths[4].Name]:P1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  whole embed stage / bare loop:    {baseline / median[paths[2].Name]:P1} of the bare loop's chunks/s (goal ≥ 90%)"));
        var paddedGrouped = BenchCorpus.PaddedTokens(grouped);
        var paddedArrival = BenchCorpus.PaddedTokens(arrival);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  length-grouped vs arrival order:  {median[paths[3].Name] / baseline:F2}× the chunks/s; padding {1 - tokens / (double)paddedGrouped:P1} vs {1 - tokens / (double)paddedArrival:P1} of the token positions computed"));
        var tokenizing = Stopwatch.StartNew();
        foreach (var c in chunks) tokenizer.EncodeToIds(model.ForDocument(c.Row.Text), model.MaxTokens, addSpecialTokens: true, out _, out _);
        tokenizing.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  tokenizing the chunks' text once: {tokenizing.Elapsed.TotalMilliseconds:F0} ms, {tokenizing.Elapsed.TotalSeconds / baseline:P2} of the bare loop's time (what the stored ids save the embedder)"));
        var difference = await stage.LargestDifferenceAsync(bare, grouped);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  same vectors: largest |stage − bare| component {difference:E1} (bare [CLS] states, normalised)"));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
