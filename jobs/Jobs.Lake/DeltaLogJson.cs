using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jobs.Lake;

/// <summary>Reads and writes the newline-delimited JSON of a Delta commit file (PROTOCOL.md "Delta Log Entries").</summary>
internal static class DeltaLogJson
{
    public static CommitActions Parse(string json, string fileName)
    {
        var adds = new List<AddFile>();
        var removes = new List<RemoveFile>();
        var txns = new List<TxnAction>();
        ProtocolAction? protocol = null;
        MetadataAction? metadata = null;
        var lineNumber = 0;
        foreach (var line in json.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject action;
            try { action = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("null action"); }
            catch (JsonException e) { throw new DeltaProtocolException($"{fileName} line {lineNumber}: not a JSON object ({e.Message})"); }
            // Unknown action types are ignored, as the protocol requires of readers.
            if (action["add"] is JsonObject a) adds.Add(ParseAdd(a, fileName));
            else if (action["remove"] is JsonObject r) removes.Add(ParseRemove(r, fileName));
            else if (action["protocol"] is JsonObject p) protocol = ParseProtocol(p);
            else if (action["metaData"] is JsonObject m) metadata = ParseMetadata(m, fileName);
            else if (action["txn"] is JsonObject t)
                txns.Add(new TxnAction(Str(t, "appId", fileName), Long(t, "version", fileName), t["lastUpdated"]?.GetValue<long>()));
        }
        return new CommitActions(adds, removes, protocol, metadata, txns);
    }

    private static AddFile ParseAdd(JsonObject a, string file) => new(
        Str(a, "path", file), StringMap(a["partitionValues"]), Long(a, "size", file),
        a["modificationTime"]?.GetValue<long>() ?? 0, a["dataChange"]?.GetValue<bool>() ?? true, a["stats"]?.GetValue<string>());

    private static RemoveFile ParseRemove(JsonObject r, string file) => new(
        Str(r, "path", file), r["deletionTimestamp"]?.GetValue<long>() ?? 0, r["dataChange"]?.GetValue<bool>() ?? true,
        r["partitionValues"] is null ? null : StringMap(r["partitionValues"]), r["size"]?.GetValue<long>());

    private static ProtocolAction ParseProtocol(JsonObject p) => new(
        p["minReaderVersion"]?.GetValue<int>() ?? 1, p["minWriterVersion"]?.GetValue<int>() ?? 1,
        p["readerFeatures"]?.AsArray().Select(x => x!.GetValue<string>()).ToList(),
        p["writerFeatures"]?.AsArray().Select(x => x!.GetValue<string>()).ToList());

    private static MetadataAction ParseMetadata(JsonObject m, string file) => new(
        Str(m, "id", file), Str(m, "schemaString", file),
        m["partitionColumns"]?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? [],
        StringMap(m["configuration"]), m["createdTime"]?.GetValue<long>());

    private static string Str(JsonObject o, string key, string file) =>
        o[key]?.GetValue<string>() ?? throw new DeltaProtocolException($"{file}: action is missing required field '{key}'");

    private static long Long(JsonObject o, string key, string file) =>
        o[key]?.GetValue<long>() ?? throw new DeltaProtocolException($"{file}: action is missing required field '{key}'");

    private static Dictionary<string, string?> StringMap(JsonNode? node) =>
        node is JsonObject o ? o.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>()) : [];

    public static string Serialize(CommitInfo info, ProtocolAction? protocol, MetadataAction? metadata,
        IEnumerable<RemoveFile> removes, IEnumerable<AddFile> adds, IEnumerable<TxnAction> txns)
    {
        var sb = new StringBuilder();
        // Spark writes commitInfo first; readers accept any order.
        Append(sb, "commitInfo", info.ToJson());
        if (protocol is not null)
            Append(sb, "protocol", new JsonObject { ["minReaderVersion"] = protocol.MinReaderVersion, ["minWriterVersion"] = protocol.MinWriterVersion });
        if (metadata is not null)
            Append(sb, "metaData", new JsonObject
            {
                ["id"] = metadata.Id,
                ["format"] = new JsonObject { ["provider"] = "parquet", ["options"] = new JsonObject() },
                ["schemaString"] = metadata.SchemaString,
                ["partitionColumns"] = new JsonArray(metadata.PartitionColumns.Select(c => (JsonNode?)c).ToArray()),
                ["configuration"] = MapNode(metadata.Configuration),
                ["createdTime"] = metadata.CreatedTime,
            });
        foreach (var t in txns)
            Append(sb, "txn", new JsonObject { ["appId"] = t.AppId, ["version"] = t.Version, ["lastUpdated"] = t.LastUpdated });
        foreach (var r in removes)
            Append(sb, "remove", new JsonObject
            {
                ["path"] = r.Path, ["deletionTimestamp"] = r.DeletionTimestamp, ["dataChange"] = r.DataChange,
                ["extendedFileMetadata"] = true, ["partitionValues"] = MapNode(r.PartitionValues ?? new Dictionary<string, string?>()),
                ["size"] = r.Size,
            });
        foreach (var a in adds)
            Append(sb, "add", new JsonObject
            {
                ["path"] = a.Path, ["partitionValues"] = MapNode(a.PartitionValues), ["size"] = a.Size,
                ["modificationTime"] = a.ModificationTime, ["dataChange"] = a.DataChange, ["stats"] = a.Stats,
            });
        return sb.ToString();
    }

    private static JsonObject MapNode(IReadOnlyDictionary<string, string?> map)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map) o[k] = v;
        return o;
    }

    // Spark writes plain UTF-8 JSON; the default encoder's \u0022-style escapes are valid but needlessly opaque.
    private static readonly JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void Append(StringBuilder sb, string key, JsonObject value) =>
        sb.Append(new JsonObject { [key] = value }.ToJsonString(Plain)).Append('\n');
}
