using Jobs.Contracts;
using Jobs.Lake;

namespace Jobs.Tables;

/// <summary>
/// The chunk ids in the lake's <c>dead_letters</c> table for a date chunk, read without assuming the table's full
/// schema (only its <c>chunk_id</c> column and <c>day</c> partition): none when the table does not exist.
/// </summary>
public static class DeadLetterIds
{
    public const string TableName = "dead_letters";

    public static async Task<HashSet<string>> ReadAsync(LakeStore lake, DateChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        // Only the log is read through the table (its data files are read untyped below), so the probe's schema never matters.
        var table = new DeltaTable<Probe>(lake.Storage, Spec);
        if (!await table.ExistsAsync(cancellationToken).ConfigureAwait(false)) return ids;
        var snapshot = await table.SnapshotAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var within = DayPartition.Within(chunk);
        foreach (var file in snapshot.Files.Where(f => within.Matches(f.PartitionValues)))
        {
            var path = LakePaths.Combine(TableName, PartitionPaths.FromLogPath(file.Path));
            await foreach (var row in ParquetNetRowReader.Instance.ReadAsync(lake.Storage, path, cancellationToken).ConfigureAwait(false))
                if (row.TryGetValue("chunk_id", out var id) && id is string s) ids.Add(s);
        }
        return ids;
    }

    private static readonly TableSpec<Probe> Spec = new(TableName, [DayPartition.Definition],
        _ => new Dictionary<string, string?>(), (_, _) => { });

    private sealed class Probe
    {
        [System.Text.Json.Serialization.JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
    }
}
