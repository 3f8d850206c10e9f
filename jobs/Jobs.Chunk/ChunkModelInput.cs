using Jobs.Contracts;
using Jobs.Embeddings;
using Microsoft.ML.Tokenizers;

namespace Jobs.Chunk;

/// <summary>
/// A chunk's model input ids, the ids the embedder's tokenizer gives for <c>model.ForDocument(context, text)</c> with
/// [CLS] and [SEP], put together from ids already computed: the passage's (its words', from the document's one
/// tokenization) and the context's (once per document). The blank line between context and passage is a separator, so
/// the two tokenize apart; so does the model's document prefix when it ends with one. A prefix that does not (no
/// model has one today) joins the first word after it and is tokenized with what follows, which stays exact.
/// </summary>
public sealed class ChunkModelInput
{
    private readonly BertTokenizer _tokenizer;
    private readonly EmbeddingModel _model;
    private readonly IReadOnlyList<int> _prefix;
    private readonly bool _prefixSeparates;

    public ChunkModelInput(BertTokenizer tokenizer, EmbeddingModel model, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(model);
        _tokenizer = tokenizer;
        _model = model;
        Tokenizer = fingerprint;
        _prefix = Encode(model.DocumentPrefix);
        _prefixSeparates = model.DocumentPrefix.Length == 0 || WordBoundaries.IsSeparator(model.DocumentPrefix[^1]);
    }

    /// <summary>The <see cref="TokenizerFingerprint"/> the ids are valid for.</summary>
    public string Tokenizer { get; }

    /// <summary>Tokens of the model's document prefix (they count against the window).</summary>
    public int PrefixTokens => _prefix.Count;

    /// <param name="context">The passage's context, or null.</param>
    /// <param name="contextIds">The context's own ids (no special tokens); ignored without a context.</param>
    /// <param name="text">The passage's text.</param>
    /// <param name="textIds">The passage's own ids (no special tokens).</param>
    public int[] For(string? context, IReadOnlyList<int>? contextIds, string text, IReadOnlyList<int> textIds)
    {
        ArgumentNullException.ThrowIfNull(textIds);
        var hasContext = !string.IsNullOrEmpty(context);
        if (!_prefixSeparates && _prefix.Count > 0)
            return WithSpecialTokens(hasContext ? [.. Encode(_model.DocumentPrefix + context), .. textIds] : Encode(_model.ForDocument(text)));
        if (!hasContext) return WithSpecialTokens([.. _prefix, .. textIds]);
        return WithSpecialTokens([.. _prefix, .. contextIds ?? Encode(context!), .. textIds]);
    }

    private int[] WithSpecialTokens(IReadOnlyList<int> ids)
    {
        var input = new int[ids.Count + 2];
        input[0] = _tokenizer.ClassificationTokenId;
        for (var i = 0; i < ids.Count; i++) input[i + 1] = ids[i];
        input[^1] = _tokenizer.SeparatorTokenId;
        return input;
    }

    private IReadOnlyList<int> Encode(string s) => _tokenizer.Pieces(s);
}
