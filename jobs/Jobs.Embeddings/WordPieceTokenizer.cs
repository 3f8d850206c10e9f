using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>The model's own lower-casing BERT WordPiece tokenizer, shared by chunking and embedding.</summary>
internal static class WordPieceTokenizer
{
    public static BertTokenizer Create(EmbeddingModelFiles files)
    {
        using var vocab = files.OpenVocabulary();
        return BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true });
    }
}
