using System.Globalization;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;

namespace Jobs.Ingest;

/// <summary>What a Delta source lists for one chunk: the files to read, and how many of the table's live files it did not open, and why.</summary>
public sealed record DeltaSourceListing(string Table, long Version, int LiveFiles, long LiveBytes, int PrunedByPartition, int SkippedByStats, IReadOnlyList<SourceFile> Files)
{
    public long Bytes => Files.Sum(f => f.Length);
}

/// <summary>
/// An existing Delta table (written by Spark, Databricks, delta-rs or this project) as an ingest source, read through
/// Jobs.Lake's own reader: its snapshot (log replay from the newest checkpoint, refused with exit 3 when it needs a
/// reader feature Jobs.Lake does not implement), then only the live files this chunk can hold: a file whose date
/// partition is outside the chunk is pruned, and one whose timestamp min/max stats lie outside it is skipped, so a
/// daily run opens one day's files, not the history. add.path is URI-decoded once and resolved against the table.
/// </summary>
public static class DeltaSource
{
    /// <summary>The value of --partition-column that turns partition pruning off.</summary>
    public const string NoPartitionColumn = "none";

    /// <summary>Whether <paramref name="source"/> is a Delta table: an az:// location, or a folder holding _delta_log.</summary>
    public static bool IsTable(string source) =>
        source.StartsWith("az://", StringComparison.OrdinalIgnoreCase) || Directory.Exists(Path.Combine(source, "_delta_log"));

    public static async Task<DeltaSourceListing> ListAsync(ILakeStorage table, string source, DateChunk chunk, string timeField, string? partitionColumn,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var snapshot = await DeltaReader.SnapshotAsync(table, "", null, cancellationToken).ConfigureAwait(false);
        var name = TableName(source);
        var dayColumn = DayColumn(snapshot, partitionColumn, source);
        var time = snapshot.Schema[timeField] is { PrimitiveType: "timestamp" or "timestamp_ntz" or "date" } t
                   && !snapshot.Metadata.PartitionColumns.Contains(t.Name, StringComparer.Ordinal) ? t : null;
        var start = chunk.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = chunk.End.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var files = new List<SourceFile>();
        int pruned = 0, skipped = 0;
        foreach (var add in snapshot.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            DateOnly? day = null;
            if (dayColumn is not null)
            {
                day = DayOf(add.PartitionValues.GetValueOrDefault(dayColumn.Name), dayColumn.PrimitiveType!);
                if (day is { } d && !chunk.Contains(d))
                {
                    pruned++;
                    continue;
                }
            }
            var stats = DeltaFileStats.Parse(add.Stats, time?.Name);
            if (stats is { NumRecords: 0 } || (time is not null && stats is not null && stats.OutsideRange(time.PrimitiveType!, start, end)))
            {
                skipped++;
                continue;
            }
            var key = PartitionPaths.FromLogPath(add.Path);
            var fileName = $"{name}/{key}";
            files.Add(new SourceFile(table.Describe(key), fileName, SourceFormat.Delta, day,
                Origin: new DeltaDataFile(table, key, fileName, add.PartitionValues, add.Size, stats?.NumRecords)));
        }
        return new DeltaSourceListing(table.Location, snapshot.Version, snapshot.Files.Count, snapshot.Files.Sum(f => f.Size), pruned, skipped, files);
    }

    /// <summary>The name records refer to: the table folder's last segment.</summary>
    public static string TableName(string source)
    {
        var trimmed = source.TrimEnd('/', '\\');
        var cut = trimmed.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? trimmed : trimmed[(cut + 1)..];
    }

    private static DeltaField? DayColumn(DeltaSnapshot snapshot, string? configured, string source)
    {
        var partitions = snapshot.Metadata.PartitionColumns.Select(c => snapshot.Schema[c]).OfType<DeltaField>().ToList();
        if (configured == NoPartitionColumn) return null;
        if (configured is { Length: > 0 })
        {
            var field = partitions.FirstOrDefault(f => string.Equals(f.Name, configured, StringComparison.OrdinalIgnoreCase))
                ?? throw new JobConfigurationException($"--partition-column {configured}: Delta source {source} is partitioned by [{string.Join(", ", snapshot.Metadata.PartitionColumns)}], not by it (use --partition-column none to read every partition)");
            return field.PrimitiveType is "date" or "string" or "timestamp" or "timestamp_ntz" ? field
                : throw new JobConfigurationException($"--partition-column {configured}: its type {field.PrimitiveType ?? "(complex)"} is not a day (date, yyyy-MM-dd string or timestamp)");
        }
        return partitions.FirstOrDefault(f => f.Name is "day" or "date" && f.PrimitiveType is "date" or "string")
            ?? (partitions.Count(f => f.PrimitiveType == "date") == 1 ? partitions.Single(f => f.PrimitiveType == "date") : null);
    }

    /// <summary>The UTC day a partition value names; null for a null partition or a value that is not a day (such files are always read).</summary>
    private static DateOnly? DayOf(string? value, string type)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (type is "date" or "string")
            return DateOnly.TryParseExact(value, DateChunk.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        try
        {
            return PartitionValues.Parse(value, type, "day") is DateTime t ? DateOnly.FromDateTime(t) : null;
        }
        catch (DeltaProtocolException)
        {
            return null;
        }
    }
}
