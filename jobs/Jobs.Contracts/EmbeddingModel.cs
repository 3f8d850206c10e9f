namespace Jobs.Contracts;

/// <summary>How a model turns token states into one vector.</summary>
public enum Pooling
{
    /// <summary>The first token's ([CLS]) hidden state.</summary>
    Cls,
    /// <summary>The mean of the hidden states of the real (unmasked) tokens.</summary>
    Mean,
}

/// <summary>
/// Everything the pipeline assumes about an embedding model, in one place: chunk sizes its token limit, embed and
/// search follow its prefixes, pooling and normalisation, validate checks its dimension, and the serving store's
/// <c>vector(n)</c> column is created from it. Rows carry <see cref="Id"/>, so vectors of two models never mix.
/// </summary>
public sealed record EmbeddingModel(
    string Id,
    int Dimensions,
    int MaxTokens,
    string QueryPrefix,
    string DocumentPrefix,
    Pooling Pooling,
    bool Normalize)
{
    /// <summary>Prefixes a search query as the model was trained to see it.</summary>
    public string ForQuery(string query) => QueryPrefix + query;

    /// <summary>Prefixes a passage as the model was trained to see it.</summary>
    public string ForDocument(string passage) => DocumentPrefix + passage;

    /// <summary>
    /// A passage with its context (the document's title, a section heading) as the embedder reads it: the context,
    /// a blank line, then the passage, after the model's document prefix; the BEIR/MTEB convention of title before
    /// text (a BERT tokenizer reads the blank line as a word break).
    /// </summary>
    public string ForDocument(string? context, string passage) =>
        string.IsNullOrEmpty(context) ? ForDocument(passage) : DocumentPrefix + context + "\n\n" + passage;
}

/// <summary>The models the pipeline knows by id (their facts come from the model cards).</summary>
public static class EmbeddingModels
{
    /// <summary>snowflake-arctic-embed-xs (Apache-2.0): BERT, 22M parameters; CLS pooling, unit length; queries only are prefixed.</summary>
    public static readonly EmbeddingModel ArcticEmbedXs = new(
        Id: "snowflake-arctic-embed-xs",
        Dimensions: 384,
        MaxTokens: 512,
        QueryPrefix: "Represent this sentence for searching relevant passages: ",
        DocumentPrefix: "",
        Pooling: Pooling.Cls,
        Normalize: true);

    public static EmbeddingModel Default => ArcticEmbedXs;

    public static IReadOnlyList<EmbeddingModel> Known { get; } = [ArcticEmbedXs];

    public static EmbeddingModel? Find(string id) => Known.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
}
