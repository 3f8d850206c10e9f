namespace Jobs.Lake;

/// <summary>A partition column: its Delta primitive type and how a row maps to and from its serialized value.</summary>
public sealed record PartitionColumn(string Name, string DeltaType);

/// <summary>How rows of <typeparamref name="TRow"/> are stored: table folder, partition columns and their accessors.</summary>
public sealed class TableSpec<TRow>(
    string name,
    IReadOnlyList<PartitionColumn> partitionColumns,
    Func<TRow, IReadOnlyDictionary<string, string?>> partitionValuesOf,
    Action<TRow, IReadOnlyDictionary<string, string?>> applyPartitionValues)
    where TRow : class, new()
{
    public string Name { get; } = name;
    public IReadOnlyList<PartitionColumn> PartitionColumns { get; } = partitionColumns;
    public IReadOnlyDictionary<string, string?> PartitionValuesOf(TRow row) => partitionValuesOf(row);
    public void ApplyPartitionValues(TRow row, IReadOnlyDictionary<string, string?> values) => applyPartitionValues(row, values);
    public string SchemaString { get; } = DeltaSchema.ToSchemaString(typeof(TRow), partitionColumns);
}
