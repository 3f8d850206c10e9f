using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Chunk;

/// <summary>Builds chunk rows with content-derived ids, so re-chunking unchanged text reproduces the same ids.</summary>
public static class ChunkRows
{
    /// <param name="context">The passages' context for the embedder (the document's title); their hash and id cover it.</param>
    /// <param name="input">Builds each row's model input ids (from the spans' and the context's ids); null: rows without ids.</param>
    public static IEnumerable<ChunkRow> For(DocumentRow doc, IReadOnlyList<TextSpan> spans, string runId, DocumentContext? context = null,
        ChunkModelInput? input = null)
    {
        var day = DayPartition.Format(doc.Day)!;
        for (var ordinal = 0; ordinal < spans.Count; ordinal++)
        {
            var span = spans[ordinal];
            var text = doc.Text[span.Start..span.End];
            var passageContext = context?.At(span.Start);
            var hash = ContentHash.OfPassage(passageContext, text);
            yield return new ChunkRow
            {
                ChunkId = ContentHash.Of(doc.DocId, day, ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture), hash)[..32],
                DocId = doc.DocId,
                Ordinal = ordinal,
                Text = text,
                TokenCount = span.TokenCount,
                CharStart = span.Start,
                CharEnd = span.End,
                ContentHash = hash,
                Timestamp = doc.Timestamp,
                RunId = runId,
                Context = passageContext,
                TokenIds = input?.For(passageContext, passageContext is null ? null : context!.Ids.GetValueOrDefault(passageContext), text, span.Ids),
                Tokenizer = input?.Tokenizer,
                Day = doc.Day,
            };
        }
    }
}
