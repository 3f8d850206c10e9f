using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace Jobs.Chunk;

/// <summary>Replaces the chunk's days in <c>chunks</c> with token-bounded passages of the documents of those days.</summary>
public sealed class ChunkStage : Stage<ChunkWork>
{
    public override string Name => "chunk";
    public override string Description => "Delta documents → token-aware overlapping chunks (Delta chunks)";
    public override IReadOnlyList<OptionsSection> Sections => [OptionsSection.Of<ChunkOptions>(ChunkOptions.Section), ModelServices.Section];

    public override void ConfigureServices(IServiceCollection services)
    {
        services.AddLake().AddEmbeddingModel().AddTokenizer();
        services.AddSingleton<IValidateOptions<ChunkOptions>, ChunkOptionsValidator>();
    }

    /// <summary>The vocabulary loads (the chunk image carries no weights).</summary>
    public override IEnumerable<string> Preflight(IServiceProvider services)
    {
        services.GetRequiredService<BertTokenizer>();
        return [];
    }
}

public sealed partial class ChunkWork(ChunkOptions options, BertTokenizer tokenizer, EmbeddingModel model, EmbeddingModelFiles files, LakeStore lake,
    JobContext context, ILogger<ChunkWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var input = new ChunkModelInput(tokenizer, model, TokenizerFingerprint.Of(files, model));
        var prefixTokens = input.PrefixTokens;
        var chunker = new TextChunker(tokenizer, options.MaxTokens, options.OverlapTokens, prefixTokens);
        var contexts = new ChunkContext(tokenizer, Math.Min(options.ContextMaxTokens, (options.MaxTokens - 2 - prefixTokens) / 4));
        var counts = new Counter();
        var documents = lake.ReadAsync(LakeTables.Documents, context.Chunk, cancellationToken);
        var window = new ChunkWindowCheck(tokenizer, model, options.MaxTokens);
        await lake.ReplaceAsync(LakeTables.Chunks, context.Chunk, window.Verify(ChunkAll(documents, chunker, contexts, input, context.RunId, counts)), cancellationToken).ConfigureAwait(false);
        Chunked(counts.Documents, counts.Chunks, counts.Tokens);
        return StageResult.Of(counts.Documents, ("documents", counts.Documents), ("chunks", counts.Chunks), ("tokens", counts.Tokens));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chunked {Documents} documents into {Chunks} chunks of {Tokens} tokens in all")]
    private partial void Chunked(long documents, long chunks, long tokens);

    private static async IAsyncEnumerable<ChunkRow> ChunkAll(IAsyncEnumerable<DocumentRow> documents, TextChunker chunker, ChunkContext contexts,
        ChunkModelInput input, string runId, Counter counts)
    {
        await foreach (var doc in documents.ConfigureAwait(false))
        {
            counts.Documents++;
            var context = contexts.For(doc.Title, doc.Text);
            foreach (var row in ChunkRows.For(doc, chunker.Split(doc.Text, context.ReservedTokens), runId, context, input))
            {
                counts.Chunks++;
                counts.Tokens += row.TokenCount;
                yield return row;
            }
        }
    }

    private sealed class Counter
    {
        public long Documents;
        public long Chunks;
        public long Tokens;
    }
}
