using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Jobs.Contracts;
using Jobs.Store;

namespace Jobs.Search;

public enum SearchOutput
{
    Text,
    Jsonl,
}

/// <summary>What to ask and how to print it (section <c>Search</c>, env <c>JOBS_SEARCH__*</c>).</summary>
public sealed class SearchOptions : IValidatableObject
{
    public const string Section = "Search";

    [CliOption("--query", "-q"), Description("Query text (repeat the flag for several)"), MinLength(1, ErrorMessage = "is required: at least one --query")]
    public string[] Query { get; set; } = [];

    [CliOption("--top-k", "-k"), Description("Results per query"), Range(1, SearchRequest.MaxK, ErrorMessage = "must be within {1}..{2}")]
    public int TopK { get; set; } = 5;

    [Description("text or jsonl")]
    public SearchOutput Format { get; set; } = SearchOutput.Text;

    [Description("vector, fulltext or hybrid (reciprocal rank fusion of both)")]
    public SearchMode Mode { get; set; } = SearchMode.Hybrid;

    [Description("Only passages of documents in this category")]
    public string? Category { get; set; }

    [Description("Only passages of this theme (an id from jobs-theme --pg)")]
    public string? Theme { get; set; }

    [CliOption("--group"), Description("Best passage per document only")]
    public bool GroupByDocument { get; set; }

    [Description("HNSW candidate list size (pgvector hnsw.ef_search)"), Range(1, 1000, ErrorMessage = "must be within {1}..{2}")]
    public int EfSearch { get; set; } = 100;

    [Description("Reciprocal rank fusion constant k (hybrid)"), Range(1, 1000, ErrorMessage = "must be within {1}..{2}")]
    public int RrfK { get; set; } = 60;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Query.Any(string.IsNullOrWhiteSpace)) yield return new ValidationResult("must not be empty", [nameof(Query)]);
        if (Query.Any(q => q.Length > SearchRequest.MaxQueryLength))
            yield return new ValidationResult($"must be at most {SearchRequest.MaxQueryLength} characters", [nameof(Query)]);
    }
}
