namespace Jobs.Store;

/// <summary>How passages are matched: by meaning, by words, or both fused by reciprocal rank.</summary>
public enum SearchMode
{
    /// <summary>Cosine distance on the HNSW index.</summary>
    Vector,
    /// <summary>PostgreSQL full-text search (websearch syntax, English stemming), ranked by cover density.</summary>
    Fulltext,
    /// <summary>Both lists in one round trip, fused by reciprocal rank fusion (RRF).</summary>
    Hybrid,
}

/// <summary>
/// One search: the query and its embedding (for vector and hybrid), how many results, the filters, and the fusion
/// settings. <see cref="Validate"/> names every problem; the store never sees an unchecked value, and every value
/// reaches SQL as a bound parameter.
/// </summary>
public sealed record SearchRequest
{
    public const int MaxQueryLength = 1000;
    public const int MaxK = 100;

    public required string Query { get; init; }
    public SearchMode Mode { get; init; } = SearchMode.Hybrid;
    public int K { get; init; } = 10;
    public string? Category { get; init; }
    /// <summary>Only passages of this theme (jobs-theme --pg).</summary>
    public string? Theme { get; init; }
    /// <summary>First day (inclusive).</summary>
    public DateOnly? From { get; init; }
    /// <summary>Day after the last (exclusive), as the date chunks are.</summary>
    public DateOnly? To { get; init; }
    /// <summary>Best passage per document only.</summary>
    public bool GroupByDocument { get; init; }
    /// <summary>HNSW candidate list size for this query (pgvector's hnsw.ef_search; at least K).</summary>
    public int EfSearch { get; init; } = 100;
    /// <summary>RRF's k: a larger value flattens the advantage of the first ranks.</summary>
    public int RrfK { get; init; } = 60;
    public double VectorWeight { get; init; } = 1;
    public double TextWeight { get; init; } = 1;
    /// <summary>Candidates taken from each list before fusion or grouping.</summary>
    public int Candidates { get; init; } = 100;

    /// <summary>Every problem with the parameter it concerns (the names of the HTTP API: q, k, to, ...).</summary>
    public IReadOnlyList<(string Parameter, string Message)> Problems()
    {
        var problems = new List<(string Parameter, string Message)>();
        if (string.IsNullOrWhiteSpace(Query)) problems.Add(("q", "the query is empty"));
        else if (Query.Length > MaxQueryLength) problems.Add(("q", $"the query has {Query.Length} characters; at most {MaxQueryLength}"));
        if (Query?.Contains('\0', StringComparison.Ordinal) == true) problems.Add(("q", "the query contains a NUL character"));
        if (K is < 1 or > MaxK) problems.Add(("k", $"k must be within 1..{MaxK}, not {K}"));
        if (From is { } f && To is { } t && t <= f) problems.Add(("to", $"to {t:yyyy-MM-dd} must be after from {f:yyyy-MM-dd} (to is exclusive)"));
        if (Category is { Length: > 200 }) problems.Add(("category", "the category is longer than 200 characters"));
        if (Theme is { Length: > 200 }) problems.Add(("theme", "the theme is longer than 200 characters"));
        if (EfSearch is < 1 or > 1000) problems.Add(("ef_search", $"ef_search must be within 1..1000, not {EfSearch}"));
        if (RrfK is < 1 or > 1000) problems.Add(("rrf_k", $"rrf_k must be within 1..1000, not {RrfK}"));
        if (VectorWeight < 0 || TextWeight < 0 || VectorWeight + TextWeight <= 0 || !double.IsFinite(VectorWeight + TextWeight))
            problems.Add(("weights", "the fusion weights must be finite, not negative, and not both zero"));
        if (Candidates is < 1 or > 1000) problems.Add(("candidates", $"candidates must be within 1..1000, not {Candidates}"));
        return problems;
    }

    public IReadOnlyList<string> Validate() => [.. Problems().Select(p => p.Message)];
}
