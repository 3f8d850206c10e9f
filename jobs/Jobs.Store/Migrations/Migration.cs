namespace Jobs.Store.Migrations;

/// <summary>
/// One versioned step of the serving schema. Applied once, in version order, and recorded in
/// <c>schema_migrations</c>; its SQL may use the store's settings (the vector dimension, the HNSW parameters).
/// </summary>
public sealed record Migration(int Version, string Name, Func<SchemaSettings, string> Sql);

/// <summary>What a migration's SQL may depend on: the served model's dimension and the HNSW build parameters.</summary>
public sealed record SchemaSettings(int Dimensions, int HnswM, int HnswEfConstruction);
