using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jobs.Lake;

namespace Jobs.DeltaTool;

/// <summary>
/// What `jobs-delta cat` (and `make delta-cat`) prints: the rows of any Delta table the lake reads, one JSON object
/// per line with every column (partition columns included, typed from the log). A <c>--where column=value</c> on a
/// partition column reads only that partition's files; on another column it filters the rows read.
/// </summary>
public static class TableRows
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<long> WriteAsync(TextWriter output, string table, long? version, long? limit, IReadOnlyList<string> where,
        CancellationToken cancellationToken)
    {
        var filters = where.Select(Parse).ToList();
        var storage = LakeStorage.Open(table);
        var snapshot = await DeltaReader.SnapshotAsync(storage, "", version, cancellationToken);
        var partitionColumns = snapshot.Metadata.PartitionColumns.ToHashSet(StringComparer.Ordinal);
        var columns = snapshot.Schema.Fields.Select(f => f.Name).ToList();
        foreach (var (column, _) in filters)
            if (!columns.Contains(column, StringComparer.Ordinal))
                throw new ArgumentException($"--where {column}: the table has no such column (columns: {string.Join(", ", columns)})");
        var onPartitions = filters.Where(f => partitionColumns.Contains(f.Column)).ToList();
        var onRows = filters.Where(f => !partitionColumns.Contains(f.Column)).ToList();

        long written = 0;
        if (limit is <= 0) return 0;
        await foreach (var row in DeltaReader.ReadRowsAsync(storage, "", snapshot,
            partitions: values => onPartitions.All(f => values.GetValueOrDefault(f.Column) == NullIfEmpty(f.Value)), cancellationToken: cancellationToken))
        {
            if (!onRows.All(f => Text(row.GetValueOrDefault(f.Column)) == NullIfEmpty(f.Value))) continue;
            var ordered = columns.ToDictionary(c => c, c => row.GetValueOrDefault(c), StringComparer.Ordinal);
            await output.WriteLineAsync(JsonSerializer.Serialize(ordered, Json));
            if (++written == limit) break;
        }
        return written;
    }

    private static (string Column, string Value) Parse(string filter) =>
        filter.IndexOf('=', StringComparison.Ordinal) is var at and > 0
            ? (filter[..at].Trim(), filter[(at + 1)..].Trim())
            : throw new ArgumentException($"--where {filter}: expected column=value, e.g. day=2024-01-31");

    // An empty value selects nulls (the quarantine's undated partition: --where day=).
    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string? Text(object? value) => value switch
    {
        null => null,
        DateTime t => t.ToString(t.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
