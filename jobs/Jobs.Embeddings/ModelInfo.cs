namespace Jobs.Embeddings;

/// <summary>Facts about the default model (snowflake-arctic-embed-xs, Apache-2.0) that its users depend on.</summary>
public static class ModelInfo
{
    public const string DefaultModelId = "snowflake-arctic-embed-xs";
    public const int Dimensions = 384;
    public const int MaxTokens = 512;
    /// <summary>Queries, not passages, carry this prefix (model card).</summary>
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";
}
