namespace Jobs.Store;

/// <summary>A document as served from PostgreSQL.</summary>
public sealed record StoredDocument(string DocId, DateOnly Day, DateTime Timestamp, string? Title, string? Category, string Source, string Text);

/// <summary>A chunk with its embedding, as served from PostgreSQL.</summary>
public sealed record StoredChunk(string ChunkId, string DocId, DateOnly Day, int Ordinal, string Text, int TokenCount, string Model, float[] Embedding)
{
    /// <summary>The document's category, copied for filtered search.</summary>
    public string? Category { get; init; }
}

/// <summary>One search result: the passage, its document, and its score under the search mode (cosine similarity, text rank or fused rank).</summary>
public sealed record SearchHit(string ChunkId, string DocId, DateOnly Day, string? Title, int Ordinal, string Text, double Score)
{
    public string? Category { get; init; }
    public string? Theme { get; init; }
}

/// <summary>Rows in the serving tables, for reconciliation and reports.</summary>
public sealed record StoreCounts(long Documents, long Chunks);
