namespace Jobs.Store;

/// <summary>A document as served from PostgreSQL.</summary>
public sealed record StoredDocument(string DocId, DateOnly Day, DateTime Timestamp, string? Title, string? Category, string Source, string Text);

/// <summary>A chunk with its embedding, as served from PostgreSQL.</summary>
public sealed record StoredChunk(string ChunkId, string DocId, DateOnly Day, int Ordinal, string Text, int TokenCount, string Model, float[] Embedding);

/// <summary>One search result: the passage, its document and its cosine similarity to the query.</summary>
public sealed record SearchHit(string ChunkId, string DocId, DateOnly Day, string? Title, int Ordinal, string Text, double Score);

/// <summary>Rows in the serving tables, for reconciliation and reports.</summary>
public sealed record StoreCounts(long Documents, long Chunks);
