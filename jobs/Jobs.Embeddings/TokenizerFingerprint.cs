using System.Security.Cryptography;
using Jobs.Contracts;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>
/// What stored token ids are valid for: the model (its document prefix and special tokens), the vocabulary's bytes,
/// the tokenizer library's version and <see cref="Rules"/>, the version of the project's own tokenization rules. The
/// chunk stage stores it with each chunk's ids; the ONNX embedder uses stored ids only under an equal fingerprint, and
/// tokenizes the text otherwise, so a new vocabulary, model or library can never feed ids made for another.
/// </summary>
public static class TokenizerFingerprint
{
    /// <summary>
    /// Bump when <see cref="WordPieceTokenizer"/>, <see cref="SeparatingWhitespaceNormalizer"/>,
    /// <see cref="BertPreTokenizer"/> or the way the chunker assembles model input ids change what ids a text gets.
    /// </summary>
    public const int Rules = 1;

    public static string Of(EmbeddingModelFiles files, EmbeddingModel model)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(model);
        using var vocab = files.OpenVocabulary();
        var digest = Convert.ToHexStringLower(SHA256.HashData(vocab))[..16];
        return $"{model.Id};vocab={digest};tokenizers={typeof(BertTokenizer).Assembly.GetName().Version};rules={Rules}";
    }
}
