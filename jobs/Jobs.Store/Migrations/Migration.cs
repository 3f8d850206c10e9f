namespace Jobs.Store.Migrations;

/// <summary>
/// One versioned step of the serving schema. Applied once, in version order, and recorded in
/// <c>schema_migrations</c>; its SQL may use the store's settings (the vector dimension, the HNSW parameters).
/// </summary>
public sealed record Migration(int Version, string Name, Func<SchemaSettings, string> Sql);

/// <summary>
/// What a migration's SQL may depend on: the served model's dimension, the vector type, the HNSW build parameters, and
/// the memory and workers an index build may use.
/// </summary>
public sealed record SchemaSettings(int Dimensions, int HnswM, int HnswEfConstruction)
{
    /// <summary>vector (4-byte floats) or halfvec (2-byte floats).</summary>
    public string VectorType { get; init; } = "vector";

    public string MaintenanceWorkMem { get; init; } = "512MB";

    public int MaxParallelMaintenanceWorkers { get; init; } = 2;
}
