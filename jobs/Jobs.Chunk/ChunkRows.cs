using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Chunk;

/// <summary>Builds chunk rows with content-derived ids, so re-chunking unchanged text reproduces the same ids.</summary>
public static class ChunkRows
{
    /// <param name="context">The passages' context for the embedder (the document's title); their hash and id cover it.</param>
    public static IEnumerable<ChunkRow> For(DocumentRow doc, IReadOnlyList<TextSpan> spans, string runId, DocumentContext? context = null)
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
                Day = doc.Day,
            };
        }
    }
}
