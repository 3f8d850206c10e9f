using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.ML.Tokenizers;

namespace Jobs.Chunk;

/// <summary>
/// Measures each chunk as the embedder will read it (the model's document prefix, its context, [CLS] and [SEP]
/// included) and fails the run (exit 4) before the commit when any is over --max-tokens or the model's window, which
/// the embedder would silently cut. A row with model input ids is measured by them (the ids the embedder is fed); one
/// without is tokenized. One row in <see cref="SpotCheckEvery"/> (the first included) is tokenized anyway and its
/// stored ids compared with the tokenizer's: ids put together from words that differ from the whole text's fail the
/// run too, rather than reach the model.
/// </summary>
public sealed class ChunkWindowCheck(BertTokenizer tokenizer, EmbeddingModel model, int maxTokens)
{
    public const int SpotCheckEvery = 100;

    public long Over { get; private set; }

    /// <summary>Rows whose stored ids were compared with the tokenizer's.</summary>
    public long SpotChecked { get; private set; }

    public async IAsyncEnumerable<ChunkRow> Verify(IAsyncEnumerable<ChunkRow> rows)
    {
        var limit = Math.Min(maxTokens, model.MaxTokens);
        string? first = null;
        long seen = 0;
        await foreach (var row in rows.ConfigureAwait(false))
        {
            var check = row.TokenIds is null || seen++ % SpotCheckEvery == 0;
            var ids = check ? tokenizer.ModelInput(model.ForDocument(row.Context, row.Text)) : null;
            if (row.TokenIds is not null && ids is not null)
            {
                SpotChecked++;
                if (!ids.SequenceEqual(row.TokenIds))
                    throw new QualityGateException($"chunk {row.ChunkId} (document {row.DocId}, passage {row.Ordinal}): its model input ids ({row.TokenIds.Length}) " +
                        $"differ from the tokenizer's for its text ({ids.Count}); the chunker's word boundaries no longer match {model.Id}'s tokenizer");
            }
            var tokens = row.TokenIds?.Length ?? ids!.Count;
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
