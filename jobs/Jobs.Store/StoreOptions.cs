using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Store;

/// <summary>
/// How the serving store is built and reached (section <c>Store</c>, env <c>JOBS_STORE__*</c>): the HNSW index's
/// build parameters, applied when the index is created, the vector type, how index builds after a large first load of a
/// month run, and the retries on transient PostgreSQL errors.
/// </summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    [Description("HNSW links per node (m), used when the vector index is created"), Range(2, 100, ErrorMessage = "must be within {1}..{2}")]
    public int HnswM { get; set; } = 16;

    [Description("HNSW candidate list while building (ef_construction), used when the vector index is created"),
     Range(4, 1000, ErrorMessage = "must be within {1}..{2}")]
    public int HnswEfConstruction { get; set; } = 64;

    [Description("How vectors are stored when a chunks table is created: vector (4-byte floats) or halfvec (2-byte floats, half the size; index ops halfvec_cosine_ops)"),
     RegularExpression("^(vector|halfvec)$", ErrorMessage = "must be vector or halfvec")]
    public string VectorType { get; set; } = "vector";

    [Description("A new month partition whose first load brings at least this many chunks is filled before its indexes are built (faster than inserting through HNSW)"),
     Range(0, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int BulkIndexRows { get; set; } = 10_000;

    [Description("maintenance_work_mem of the index builds (a partition's indexes after a large first load, the migration to partitions)"),
     RegularExpression("^[1-9][0-9]*(kB|MB|GB)$", ErrorMessage = "must be a size such as 512MB or 2GB")]
    public string MaintenanceWorkMem { get; set; } = "512MB";

    [Description("max_parallel_maintenance_workers of the index builds (pgvector builds HNSW in parallel; each worker needs shared memory)"),
     Range(0, 64, ErrorMessage = "must be within {1}..{2}")]
    public int MaxParallelMaintenanceWorkers { get; set; } = 2;

    [Description("Retries of a load or schema step after a transient PostgreSQL error (connection loss, serialization failure, deadlock)"),
     Range(0, 20, ErrorMessage = "must be within {1}..{2}")]
    public int MaxRetries { get; set; } = 5;

    [Description("Delay before the first retry in seconds; doubles each time, with jitter"), Range(0.0, 300.0, ErrorMessage = "must be within {1}..{2}")]
    public double RetryDelaySeconds { get; set; } = 1.0;
}
