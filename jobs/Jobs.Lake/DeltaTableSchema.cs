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

    /// <summary>
    /// True when <paramref name="wider"/> only adds nullable fields to <paramref name="table"/> (schema evolution by
    /// adding columns, as Delta's mergeSchema does): every field of the table is there unchanged, by name, and files
    /// written before the change read the new fields as null. Removing, retyping or tightening a field is no widening.
    /// </summary>
    public static bool Widens(string table, string wider)
    {
        var old = Parse(table);
        var next = Parse(wider);
        return old.Fields.All(f => next.FieldNode(f.Name) is { } n && old.FieldNode(f.Name) is { } o && JsonNode.DeepEquals(o, n))
            && next.Fields.Where(f => old[f.Name] is null).All(f => f.Nullable);
    }

    private readonly Dictionary<string, JsonNode> _nodes = new(StringComparer.OrdinalIgnoreCase);

    private JsonNode? FieldNode(string name) => _nodes.GetValueOrDefault(name);

    public static DeltaTableSchema Parse(string schemaString)
    {
        JsonObject root;
        try { root = JsonNode.Parse(schemaString)?.AsObject() ?? throw new FormatException("empty"); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            throw new DeltaProtocolException($"schemaString is not a JSON struct type: {e.Message}");
        }
        var fields = root["fields"]?.AsArray() ?? throw new DeltaProtocolException("schemaString has no fields");
        var schema = new DeltaTableSchema(fields.Select(f => new DeltaField(
            f!["name"]!.GetValue<string>(), f["type"]!.DeepClone(), f["nullable"]?.GetValue<bool>() ?? true)).ToList());
        foreach (var f in fields) schema._nodes.TryAdd(f!["name"]!.GetValue<string>(), f.DeepClone());
        return schema;
    }
}
