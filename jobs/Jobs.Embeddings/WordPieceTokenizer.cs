using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

/// <summary>
/// The model's own lower-casing BERT WordPiece tokenizer, shared by chunking and embedding, made to give the ids of
/// BERT's reference tokenizer: every whitespace a separator (<see cref="SeparatingWhitespaceNormalizer"/>), words
/// split as the reference does (<see cref="BertPreTokenizer"/>), accents stripped.
/// </summary>
internal static class WordPieceTokenizer
{
    /// <param name="wrap">Wraps the normaliser (tests count the characters tokenized with it).</param>
    public static BertTokenizer Create(EmbeddingModelFiles files, Func<Normalizer, Normalizer>? wrap = null)
    {
        BertTokenizer library;
        using (var vocab = files.OpenVocabulary())
            library = BertTokenizer.Create(vocab, Options());
        using var again = files.OpenVocabulary();
        var options = Options();
        Normalizer normalizer = new SeparatingWhitespaceNormalizer(library.Normalizer!);
        options.Normalizer = wrap is null ? normalizer : wrap(normalizer);
        options.PreTokenizer = new BertPreTokenizer();
        return BertTokenizer.Create(again, options);
    }

    // As the model was trained (uncased BERT: lower-case and strip accents); the library does not strip accents by default.
    private static BertOptions Options() => new() { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true, IndividuallyTokenizeCjk = true };
}
