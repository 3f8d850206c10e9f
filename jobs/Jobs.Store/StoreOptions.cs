using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Store;

/// <summary>
/// How the serving store is built and reached (section <c>Store</c>, env <c>JOBS_STORE__*</c>): the HNSW index's
/// build parameters, applied when the index is created, and the retries on transient PostgreSQL errors.
/// </summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    [Description("HNSW links per node (m), used when the vector index is created"), Range(2, 100, ErrorMessage = "must be within {1}..{2}")]
    public int HnswM { get; set; } = 16;

    [Description("HNSW candidate list while building (ef_construction), used when the vector index is created"),
     Range(4, 1000, ErrorMessage = "must be within {1}..{2}")]
    public int HnswEfConstruction { get; set; } = 64;

    [Description("Retries of a load or schema step after a transient PostgreSQL error (connection loss, serialization failure, deadlock)"),
     Range(0, 20, ErrorMessage = "must be within {1}..{2}")]
    public int MaxRetries { get; set; } = 5;

    [Description("Delay before the first retry in seconds; doubles each time, with jitter"), Range(0.0, 300.0, ErrorMessage = "must be within {1}..{2}")]
    public double RetryDelaySeconds { get; set; } = 1.0;
}
