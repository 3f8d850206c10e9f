using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Jobs.Lake;

/// <summary>
/// Derives the Spark StructType JSON (PROTOCOL.md "Schema Serialization Format") from a row type, using the same
/// property names Parquet.Net's serializer writes ([JsonPropertyName]); partition columns are appended as typed fields.
/// </summary>
public static class DeltaSchema
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static string ToSchemaString(Type rowType, IEnumerable<PartitionColumn> partitionColumns)
    {
        var fields = new JsonArray();
        foreach (var property in DataProperties(rowType))
        {
            var (type, nullable) = DeltaType(property);
            fields.Add(Field(ColumnName(property), type, nullable));
        }
        foreach (var p in partitionColumns)
            fields.Add(Field(p.Name, p.DeltaType, true));
        return new JsonObject { ["type"] = "struct", ["fields"] = fields }.ToJsonString();
    }

    internal static IEnumerable<PropertyInfo> DataProperties(Type rowType) =>
        rowType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.CanWrite);

    internal static string ColumnName(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name;

    private static JsonObject Field(string name, JsonNode type, bool nullable) => new()
    {
        ["name"] = name, ["type"] = type, ["nullable"] = nullable, ["metadata"] = new JsonObject(),
    };

    private static (JsonNode Type, bool Nullable) DeltaType(PropertyInfo property)
    {
        var clr = property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(clr);
        var nullable = underlying is not null || (!clr.IsValueType && Nullability.Create(property).ReadState != NullabilityState.NotNull);
        clr = underlying ?? clr;
        if (clr == typeof(float[]))
            return (new JsonObject { ["type"] = "array", ["elementType"] = "float", ["containsNull"] = false }, nullable);
        if (clr == typeof(int[]))
            return (new JsonObject { ["type"] = "array", ["elementType"] = "integer", ["containsNull"] = false }, nullable);
        return (Primitive(clr) ?? throw new NotSupportedException($"{property.DeclaringType?.Name}.{property.Name}: no Delta type for {clr}"), nullable);
    }

    private static string? Primitive(Type t) =>
        t == typeof(string) ? "string"
        : t == typeof(long) ? "long"
        : t == typeof(int) ? "integer"
        : t == typeof(double) ? "double"
        : t == typeof(float) ? "float"
        : t == typeof(bool) ? "boolean"
        : t == typeof(DateTime) ? "timestamp"
        : null;
}
