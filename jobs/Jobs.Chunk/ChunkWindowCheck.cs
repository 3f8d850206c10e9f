using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.ML.Tokenizers;

namespace Jobs.Chunk;

/// <summary>
/// Measures each chunk as the embedder will read it (the model's document prefix, its context, [CLS] and [SEP]
/// included) and fails the run (exit 4) before the commit when any is over --max-tokens or the model's window, which
/// the embedder would silently cut. A row with model input ids is measured by them (the ids the embedder is fed); one
/// without is tokenized.
/// </summary>
public sealed class ChunkWindowCheck(BertTokenizer tokenizer, EmbeddingModel model, int maxTokens)
{
    public long Over { get; private set; }

    public async IAsyncEnumerable<ChunkRow> Verify(IAsyncEnumerable<ChunkRow> rows)
    {
        var limit = Math.Min(maxTokens, model.MaxTokens);
        string? first = null;
        await foreach (var row in rows.ConfigureAwait(false))
        {
            var tokens = row.TokenIds?.Length ?? tokenizer.EncodeToIds(model.ForDocument(row.Context, row.Text), int.MaxValue, addSpecialTokens: true, out _, out _).Count;
            if (tokens > limit)
            {
                Over++;
                first ??= $"chunk {row.ChunkId} (document {row.DocId}, passage {row.Ordinal}) has {tokens} tokens";
            }
            yield return row;
        }
        if (Over > 0)
            throw new QualityGateException($"{Over} chunks are over the {limit}-token window of {model.Id} once tokenized as the embedder does; first: {first}");
    }
}
