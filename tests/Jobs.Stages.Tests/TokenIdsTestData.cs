using System.Text.Json;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Microsoft.ML.Tokenizers;

namespace Jobs.Stages.Tests;

/// <summary>
/// Documents for the stored-token-id tests: real SciFact abstracts with their titles, and texts that stress the
/// tokenizer's word boundaries (line breaks, tabs, CR LF, form feed and vertical tab that the tokenizer deletes,
/// no-break and ideographic spaces, zero-width characters, accents composed and combining, CJK, emoji, Markdown
/// headings that become contexts, a title longer than the context budget, an over-long word without spaces).
/// </summary>
internal static class TokenIdsTestData
{
    public static readonly DateOnly Day = new(2024, 3, 1);

    public static List<DocumentRow> Documents(int scifact)
    {
        var docs = new List<DocumentRow>();
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.SharedTestData, "scifact", "corpus.jsonl")).Take(scifact))
        {
            using var doc = JsonDocument.Parse(line);
            docs.Add(Document(doc.RootElement.GetProperty("_id").GetString()!, doc.RootElement.GetProperty("title").GetString(), doc.RootElement.GetProperty("text").GetString()!));
        }
        // A URL-like run without a separator: thousands of tokens (its '/' split it into pre-tokens of under 100 characters).
        var blob = "https://example.org/" + string.Join('/', Enumerable.Range(0, 300).Select(i => $"qz{i}xv"));
        docs.Add(Document("whitespace", "Line breaks\tand tabs", "First line\nsecond line\r\nthird\tcolumn\u000Bvertical\u000Cfeed\u0085next " +
            "no\u00A0break\u3000ideographic\u2028line\u2029paragraph zero\u200Bwidth join\u200Dme soft\u00ADhyphen end."));
        docs.Add(Document("accents", "Café crème", "Caf\u00E9 cre\u0300me bru\u0302le\u0301e, \u00C5ngstr\u00F6m, na\u00EFve co\u00F6perate; \u0301leading mark, " +
            "Ελληνικά και Русский текст, façade d'été.\nΣΊΣΥΦΟΣ"));
        docs.Add(Document("cjk", "中文标题", "日本語の文章と中文句子混合。한국어 문장도 있습니다. Emoji 🎉🚀 and symbols € © ™ + = $ ½ ²."));
        docs.Add(Document("headings", "A handbook", "# Introduction\nSome words under the first heading.\n\n## Details\tand more\nMore words " +
            string.Join(' ', Enumerable.Repeat("under the second heading with enough text to need several chunks.", 12))));
        docs.Add(Document("long-title", string.Join(' ', Enumerable.Repeat("Remarkably verbose title words", 40)), "A short body."));
        docs.Add(Document("blob", null, "Before the blob " + blob + " and\nafter\tit, " + blob[..300] + "." + blob));
        return docs;
    }

    public static Task WriteAsync(string lake, IEnumerable<DocumentRow> docs, CancellationToken cancellationToken) =>
        new DeltaTable<DocumentRow>(lake, LakeTables.Documents).OverwriteAsync(docs.ToAsyncEnumerable(), PartitionPredicate.All, cancellationToken: cancellationToken);

    public static int[] Ids(BertTokenizer tokenizer, string text) => [.. tokenizer.EncodeToIds(text, int.MaxValue, addSpecialTokens: true, out _, out _)];

    private static DocumentRow Document(string id, string? title, string text) => new()
    {
        DocId = id,
        Title = title,
        Text = text,
        Timestamp = Day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        Source = "test",
        ContentHash = Jobs.Contracts.ContentHash.Of(text),
        RunId = "test",
        Day = Day,
    };
}
