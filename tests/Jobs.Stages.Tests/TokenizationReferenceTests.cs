using System.Text.Json;
using Jobs.Embeddings;
using Jobs.Testing;
using Microsoft.ML.Tokenizers;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// The tokenizer chunk and embed share gives the ids of BERT's reference tokenizer for text with line breaks, tabs,
/// accents, CJK and invisible characters. The reference ids (Reference/tokenization-reference.json) come from
/// Reference/bert_reference.py, written from the rules of BERT's basic tokenizer, over the bundled model's vocab.txt.
/// </summary>
public sealed class TokenizationReferenceTests(ModelFixture model) : IClassFixture<ModelFixture>
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "tests", "Jobs.Stages.Tests", "Reference");

    public static TheoryData<string, int[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "tokenization-reference.json")));
        var data = new TheoryData<string, int[]>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("text").GetString()!, [.. c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32())]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodeToIds_MatchesBertsReferenceTokenizer(string text, int[] reference) =>
        Assert.Equal(reference, model.Tokenizer.EncodeToIds(text, int.MaxValue, addSpecialTokens: true, out _, out _));

    [Fact]
    public void LibraryTokenizerAlone_MergesWordsAcrossLineBreaks_WhichIsWhyTheNormalizerExists()
    {
        using var vocab = model.Files.OpenVocabulary();
        var plain = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true });
        Assert.Equal(["hello", "##world", "."], plain.EncodeToTokens("hello\nworld.", out _).Select(t => t.Value));
        Assert.Equal(["hello", "world", "."], model.Tokenizer.EncodeToTokens("hello\nworld.", out _).Select(t => t.Value));
    }

    [Fact]
    public void Vocabulary_IsUncased_AsTheLowerCasingTokenizerAssumes()
    {
        using var reader = new StreamReader(model.Files.OpenVocabulary());
        var entries = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(30522, entries.Length);
        Assert.DoesNotContain(entries, e => !e.StartsWith('[') && e.ToLowerInvariant() != e); // ℝ has no lower case and stays
    }

    [Fact]
    public void WordCounts_AddUpToTheSpanCount_AcrossEveryKindOfWhitespace()
    {
        const string text = "the\r\nelephant\twalked\u2029through the\u00a0forest\n\nand\u2003back.";
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        int Count(string s) => model.Tokenizer.EncodeToIds(s, int.MaxValue, addSpecialTokens: false, out _, out _).Count;
        Assert.Equal(Count(text), words.Sum(Count));
    }
}
