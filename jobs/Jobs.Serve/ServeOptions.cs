using System.ComponentModel.DataAnnotations;

namespace Jobs.Serve;

/// <summary>The service's settings (section <c>Serve</c>, env <c>JOBS_SERVE__*</c>); the database is <c>JOBS_PG</c>.</summary>
public sealed class ServeOptions
{
    public const string Section = "Serve";

    /// <summary>Where Kestrel listens; loopback unless a deployment says otherwise (the pod sets http://0.0.0.0:8080).</summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>When set, /search needs the header X-Api-Key with this value (a Kubernetes Secret; never logged).</summary>
    public string? ApiKey { get; set; }

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Query embeddings kept in memory (least recently used are dropped).</summary>
    [Range(0, 1_000_000)]
    public int QueryCacheEntries { get; set; } = 10_000;

    public SearchDefaults Defaults { get; set; } = new();
}

/// <summary>What a request gets when it does not say.</summary>
public sealed class SearchDefaults
{
    public Store.SearchMode Mode { get; set; } = Store.SearchMode.Hybrid;
    [Range(1, Store.SearchRequest.MaxK)]
    public int K { get; set; } = 10;
    [Range(1, 1000)]
    public int RrfK { get; set; } = 60;
}
