using System.Text.Json.Nodes;

namespace Jobs.Lake;

/// <summary>A top-level field of a table's schema: its name, type (a primitive name or a complex type's JSON) and nullability.</summary>
public sealed record DeltaField(string Name, JsonNode Type, bool Nullable)
{
    /// <summary>The primitive type name (e.g. "long", "decimal(10,2)"), or null for arrays, maps and structs.</summary>
    public string? PrimitiveType => Type is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>The parsed schemaString of a table (PROTOCOL.md "Schema Serialization Format").</summary>
public sealed class DeltaTableSchema
{
    private DeltaTableSchema(IReadOnlyList<DeltaField> fields) => Fields = fields;

    public IReadOnlyList<DeltaField> Fields { get; }

    public DeltaField? this[string name] => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when both schema strings describe the same fields, whatever their JSON formatting.</summary>
    public static bool SameFields(string a, string b) =>
        JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));

    public static DeltaTableSchema Parse(string schemaString)
    {
        JsonObject root;
        try { root = JsonNode.Parse(schemaString)?.AsObject() ?? throw new FormatException("empty"); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            throw new DeltaProtocolException($"schemaString is not a JSON struct type: {e.Message}");
        }
        var fields = root["fields"]?.AsArray() ?? throw new DeltaProtocolException("schemaString has no fields");
        return new DeltaTableSchema(fields.Select(f => new DeltaField(
            f!["name"]!.GetValue<string>(), f["type"]!.DeepClone(), f["nullable"]?.GetValue<bool>() ?? true)).ToList());
    }
}
