using System.CommandLine;
using System.Runtime.CompilerServices;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Lake;
using Microsoft.Extensions.Logging;

namespace Jobs.Chunk;

/// <summary>Replaces the chunk's days in <c>chunks</c> with token-bounded passages of the documents of those days.</summary>
public sealed class ChunkStage : Stage
{
    private readonly Option<int> _maxTokens = new("--max-tokens") { Description = "Tokens per chunk, [CLS] and [SEP] included (≤ 512)", DefaultValueFactory = _ => 256 };
    private readonly Option<int> _overlapTokens = new("--overlap-tokens") { Description = "Tokens shared by consecutive chunks", DefaultValueFactory = _ => 32 };

    public override string Name => "chunk";
    public override string Description => "Delta documents → token-aware overlapping chunks (Delta chunks)";
    public override IEnumerable<Option> Options => [_maxTokens, _overlapTokens];

    public override void Validate(JobContext context)
    {
        var max = context.Get(_maxTokens);
        var overlap = context.Get(_overlapTokens);
        if (max is < 16 or > ModelInfo.MaxTokens) throw new JobConfigurationException($"--max-tokens must be within 16..{ModelInfo.MaxTokens}, not {max}");
        if (overlap < 0 || overlap >= max / 2) throw new JobConfigurationException($"--overlap-tokens must be within 0..{max / 2 - 1}, not {overlap}");
    }

    public override async Task<StageResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var log = context.LoggerFactory.CreateLogger<ChunkStage>();
        var files = EmbeddingModelFiles.Locate();
        var chunker = new TextChunker(WordPieceTokenizer.Create(files), context.Get(_maxTokens), context.Get(_overlapTokens));
        var documents = new DeltaTable<DocumentRow>(context.Lake, LakeTables.Documents);
        var chunks = new DeltaTable<ChunkRow>(context.Lake, LakeTables.Chunks);
        var counts = new Counter();
        var range = DayPartition.Within(context.Chunk);
        var commit = await chunks.OverwriteAsync(ChunkAll(documents.ReadAsync(range, cancellationToken), chunker, context.RunId, counts), range, cancellationToken)
            .ConfigureAwait(false);
        log.LogInformation("Committed chunks version {Version}: {Documents} documents → {Chunks} chunks, {Tokens} tokens",
            commit.Version, counts.Documents, counts.Chunks, counts.Tokens);
        return StageResult.Of(counts.Documents, ("documents", counts.Documents), ("chunks", counts.Chunks), ("tokens", counts.Tokens));
    }

    private static async IAsyncEnumerable<ChunkRow> ChunkAll(IAsyncEnumerable<DocumentRow> documents, TextChunker chunker, string runId, Counter counts)
    {
        await foreach (var doc in documents.ConfigureAwait(false))
        {
            counts.Documents++;
            foreach (var row in ChunkRows.For(doc, chunker.Split(doc.Text), runId))
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
