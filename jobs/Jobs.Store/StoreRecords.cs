namespace Jobs.Store;

/// <summary>A document as served from PostgreSQL.</summary>
public sealed record StoredDocument(string DocId, DateOnly Day, DateTime Timestamp, string? Title, string? Category, string Source, string Text)
{
    /// <summary>SHA-256 of the text as the lake holds it (computed from the text when absent): a reload rewrites the row only when it differs.</summary>
    public string? ContentHash { get; init; }
}

/// <summary>A chunk with its embedding, as served from PostgreSQL.</summary>
public sealed record StoredChunk(string ChunkId, string DocId, DateOnly Day, int Ordinal, string Text, int TokenCount, string Model, float[] Embedding)
{
    /// <summary>The document's category, copied for filtered search.</summary>
    public string? Category { get; init; }

    /// <summary>SHA-256 of the text as the lake holds it (computed from the text when absent).</summary>
    public string? ContentHash { get; init; }
}

/// <summary>One search result: the passage, its document, and its score under the search mode (cosine similarity, text rank or fused rank).</summary>
public sealed record SearchHit(string ChunkId, string DocId, DateOnly Day, string? Title, int Ordinal, string Text, double Score)
{
    public string? Category { get; init; }
    public string? Theme { get; init; }
}

/// <summary>Rows in the serving tables, for reconciliation and reports.</summary>
public sealed record StoreCounts(long Documents, long Chunks);

/// <summary>What applying one table of a date chunk did: rows staged, and of those inserted or updated; rows of the range deleted.</summary>
public sealed record ApplyCounts(long Staged, long Inserted, long Updated, long Deleted)
{
    /// <summary>Staged rows already present and identical: not rewritten.</summary>
    public long Unchanged => Staged - Inserted - Updated;
}

/// <summary>The outcome of loading a date chunk into the serving tables.</summary>
public sealed record LoadResult(ApplyCounts Documents, ApplyCounts Chunks)
{
    /// <summary>The chunks table the rows went to: chunks (served model) or chunks_next (the model loaded side by side).</summary>
    public string Table { get; init; } = "chunks";

    /// <summary>Month partitions this load created.</summary>
    public IReadOnlyList<NewPartition> NewPartitions { get; init; } = [];
}

/// <summary>A month partition a load created; <paramref name="RowsBeforeIndexes"/> rows were copied into it before its indexes were built (0: none, its rows went through the indexes).</summary>
public sealed record NewPartition(string Name, long RowsBeforeIndexes);
