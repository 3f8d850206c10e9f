using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>
/// The two ways the pipeline asks the model's tokenizer for ids, in one place: the word pieces of a piece of text
/// (no [CLS]/[SEP], never cut), from which chunking builds each chunk's input; and a whole model input ([CLS] text
/// [SEP]), cut at the model's window as the embedder feeds it.
/// </summary>
public static class TokenIds
{
    /// <summary>Word-piece ids of <paramref name="text"/>, without special tokens and without a length limit.</summary>
    public static IReadOnlyList<int> Pieces(this BertTokenizer tokenizer, string text)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.EncodeToIds(text, int.MaxValue, addSpecialTokens: false, out _, out _);
    }

    /// <summary>The model input for <paramref name="text"/>: [CLS] pieces [SEP], at most <paramref name="maxTokens"/> ids.</summary>
    public static IReadOnlyList<int> ModelInput(this BertTokenizer tokenizer, string text, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.EncodeToIds(text, maxTokens, addSpecialTokens: true, out _, out _);
    }
}
