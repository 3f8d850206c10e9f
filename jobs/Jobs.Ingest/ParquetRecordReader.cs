using Jobs.Hosting;
using Jobs.Tables;
using Parquet;
using Parquet.Schema;

namespace Jobs.Ingest;

/// <summary>
/// Reads Parquet files one row group at a time (never the whole file in memory). Every top-level column becomes a
/// field, its value as text (<see cref="ParquetValueText"/>); the record reference is <c>file:row N</c> (1-based in
/// the file). A file whose footer cannot be read is refused (exit 3) naming the file; a row group that cannot be
/// decoded refuses each of its rows (the footer gives their number) as <c>malformed_record</c>, and the others go on.
/// </summary>
public static class ParquetRecordReader
{
    private static readonly ParquetOptions Options = new() { UseDateOnlyTypeForDates = true };

    // Ingest's pipeline is synchronous (the records feed one enumerable the lake writes); a job has no
    // synchronization context, so waiting on Parquet.Net's async calls here cannot deadlock.
    public static IEnumerable<SourceRecord> Read(string path, string sourceName) =>
        Read(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.RandomAccess), path, sourceName);

    /// <summary>Reads the Parquet file that <paramref name="open"/> opens (a seekable stream: local, or a lake's object); <paramref name="where"/> names it in errors.</summary>
    public static IEnumerable<SourceRecord> Read(Func<Stream> open, string where, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(open);
        using var stream = open();
        var reader = Open(stream, where, sourceName);
        try
        {
            var rowCounts = RowCounts(reader);
            // Top-level primitive columns; lists, maps and struct members are not fields a mapping can name.
            var fields = reader.Schema.Fields.OfType<DataField>().Where(ParquetColumn.Reads).ToList();
            long row = 0;
            for (var g = 0; g < rowCounts.Count; g++)
            {
                var (columns, problem) = ReadRowGroup(reader, g, fields, rowCounts[g]);
                if (problem is not null)
                {
                    for (long i = 0; i < rowCounts[g]; i++)
                    {
                        row++;
                        yield return new SourceRecord(sourceName, Ref(sourceName, row), null,
                            new(QuarantineReasons.MalformedRecord, $"row group {g} of the Parquet file cannot be read: {problem}"), "");
                    }
                    continue;
                }
                for (var r = 0; r < rowCounts[g]; r++)
                {
                    row++;
                    var record = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                    RecordProblem? recordProblem = null;
                    for (var c = 0; c < fields.Count; c++)
                    {
                        var name = fields[c].Name;
                        if (record.ContainsKey(name))
                        {
                            recordProblem ??= new(QuarantineReasons.DuplicateField, $"columns named '{name}' differ only by case");
                            continue;
                        }
                        var (text, valueProblem) = ParquetValueText.Of(columns![c][r], fields[c]);
                        if (valueProblem is not null) recordProblem ??= new(QuarantineReasons.InvalidUtf8, $"column '{name}': {valueProblem}");
                        record[name] = text;
                    }
                    yield return new SourceRecord(sourceName, Ref(sourceName, row), recordProblem is null ? record : null, recordProblem, ParquetValueText.Raw(record));
                }
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The rows the footer declares (the sum of its row groups' counts), apart from reading them: the reconciliation's input count.</summary>
    public static long CountRows(string path, string sourceName) =>
        CountRows(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess), path, sourceName);

    public static long CountRows(Func<Stream> open, string where, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(open);
        using var stream = open();
        var reader = Open(stream, where, sourceName);
        try
        {
            return RowCounts(reader).Sum();
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string Ref(string sourceName, long row) => $"{sourceName}:row {row}";

    private static ParquetReader Open(Stream stream, string path, string sourceName)
    {
        try
        {
            var reader = ParquetReader.CreateAsync(stream, Options, leaveStreamOpen: true).GetAwaiter().GetResult();
            if (reader.Metadata is null)
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw new InvalidDataException("the file has no footer metadata");
            }
            return reader;
        }
        catch (Exception e) when (e is ParquetException or Parquet.Meta.Proto.ThriftProtocolException or IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new InputRefusedException($"source file {sourceName} ({path}) is not a readable Parquet file: {e.Message}");
        }
    }

    private static List<long> RowCounts(ParquetReader reader) => reader.Metadata!.RowGroups.Select(g => g.NumRows).ToList();

    /// <summary>Each column of the row group as one value per row (null where the row has none), or why the group cannot be read.</summary>
    private static (List<object?[]>? Columns, string? Problem) ReadRowGroup(ParquetReader reader, int index, IReadOnlyList<DataField> fields, long rows)
    {
        try
        {
            using var group = reader.OpenRowGroupReader(index);
            if (group.RowCount != rows) return (null, $"it holds {group.RowCount} rows, the footer says {rows}");
            var columns = new List<object?[]>(fields.Count);
            foreach (var field in fields) columns.Add(ParquetColumn.ReadAsync(group, field, checked((int)rows)).GetAwaiter().GetResult());
            return (columns, null);
        }
        catch (Exception e) when (e is ParquetException or Parquet.Meta.Proto.ThriftProtocolException or IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException
                                     or IndexOutOfRangeException or OverflowException or InvalidCastException)
        {
            return (null, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
