using System.Text.Json;
using System.Text.Json.Nodes;
using Jobs.Lake;
using Parquet;

namespace Jobs.DeltaTool;

/// <summary>The one-object description `make delta-show` prints: version, numRecords, numFiles, partitionColumns, schema.</summary>
public static class TableSummary
{
    public static async Task<JsonObject> DescribeAsync(string table, long? version, CancellationToken cancellationToken)
    {
        var storage = LakeStorage.Open(table);
        var snapshot = await DeltaReader.SnapshotAsync(storage, "", version, cancellationToken);
        long records = 0;
        foreach (var file in snapshot.Files)
            records += RecordsFromStats(file.Stats) ?? await RecordsFromFooterAsync(storage, PartitionPaths.FromLogPath(file.Path), cancellationToken);
        return new JsonObject
        {
            ["version"] = snapshot.Version,
            ["numRecords"] = records,
            ["numFiles"] = snapshot.Files.Count,
            ["partitionColumns"] = new JsonArray(snapshot.Metadata.PartitionColumns.Select(c => (JsonNode?)c).ToArray()),
            ["schema"] = JsonNode.Parse(snapshot.Metadata.SchemaString),
            ["protocol"] = new JsonObject { ["minReaderVersion"] = snapshot.Protocol.MinReaderVersion, ["minWriterVersion"] = snapshot.Protocol.MinWriterVersion },
            ["checkpointVersion"] = snapshot.CheckpointVersion,
        };
    }

    private static long? RecordsFromStats(string? stats)
    {
        if (stats is null) return null;
        using var doc = JsonDocument.Parse(stats);
        return doc.RootElement.TryGetProperty("numRecords", out var n) ? n.GetInt64() : null;
    }

    // Row counts in the footer are reliable (unlike its min/max); used only for files logged without stats.
    private static async Task<long> RecordsFromFooterAsync(ILakeStorage storage, string path, CancellationToken ct)
    {
        await using var fs = await storage.OpenReadAsync(path, ct);
        await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
        return reader.Metadata!.NumRows;
    }
}
