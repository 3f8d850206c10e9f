using System.Data;
using System.Text.RegularExpressions;
using Jobs.Contracts;
using Jobs.Tables;
using Npgsql;
using NpgsqlTypes;

namespace Jobs.Ingest;

/// <summary>
/// A PostgreSQL query as an ingest source. The query names the chunk's half-open range with the parameters
/// <c>@start</c> and <c>@end</c> (timestamptz, UTC midnights: <c>WHERE created_at &gt;= @start AND created_at &lt; @end</c>),
/// so a daily run reads one day through the table's index, not the history. The count (for the reconciliation) and the
/// rows come from one read-only REPEATABLE READ transaction, so both see the same snapshot: the count is the server's
/// <c>count(*)</c> over the same query, the rows are streamed one at a time (never all in memory) and named
/// <c>query:row N</c>. The session time zone is --time-zone, so a <c>timestamp</c> (zone-less) column compares with the
/// range, and reads, in the same zone as ingest parses its values.
/// </summary>
internal sealed partial class PostgresQuerySource(string connectionString, string query, DateChunk chunk, string name) : IRecordSource, IDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public long Length => 0;

    /// <summary>Whether the query uses both range parameters (otherwise a daily run would read every row ever written).</summary>
    public static bool UsesRange(string query) => StartParameter().IsMatch(query) && EndParameter().IsMatch(query);

    public long CountRecords()
    {
        using var command = Command($"SELECT count(*) FROM (\n{Body}\n) AS source");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public IEnumerable<SourceRecord> Read(int maxRecordBytes)
    {
        try
        {
            using var command = Command(Body);
            using var reader = command.ExecuteReader();
            long row = 0;
            while (reader.Read())
            {
                row++;
                yield return Record(reader, row);
            }
            reader.Close();
            _transaction!.Commit();
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        _transaction?.Dispose();
        _transaction = null;
        _connection?.Dispose();
        _connection = null;
    }

    private string Body => query.TrimEnd().TrimEnd(';').TrimEnd();

    private SourceRecord Record(NpgsqlDataReader reader, long row)
    {
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        RecordProblem? problem = null;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var column = reader.GetName(i);
            if (fields.ContainsKey(column))
            {
                problem ??= new(QuarantineReasons.DuplicateField, $"columns named '{column}' differ only by case, or are repeated");
                continue;
            }
            try
            {
                object? value = reader.IsDBNull(i) ? null : reader.GetDataTypeName(i) == "date" ? reader.GetFieldValue<DateOnly>(i) : reader.GetValue(i);
                var (text, valueProblem) = ParquetValueText.Of(value, null);
                if (valueProblem is not null) problem ??= new(QuarantineReasons.InvalidUtf8, $"column '{column}': {valueProblem}");
                fields[column] = text;
            }
            catch (Exception e) when (e is InvalidCastException or NotSupportedException or OverflowException)
            {
                problem ??= new(QuarantineReasons.MalformedRecord, $"column '{column}' ({reader.GetDataTypeName(i)}) cannot be read as text: {e.Message}");
                fields[column] = null;
            }
        }
        var reference = $"{name}:row {row}";
        return new SourceRecord(name, reference, problem is null ? fields : null, problem, ParquetValueText.Raw(fields));
    }

    private NpgsqlCommand Command(string sql)
    {
        if (_connection is null)
        {
            _connection = new NpgsqlConnection(connectionString);
            _connection.Open();
            _transaction = _connection.BeginTransaction(IsolationLevel.RepeatableRead);
            using var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", _connection, _transaction);
            readOnly.ExecuteNonQuery();
        }
        var command = new NpgsqlCommand(sql, _connection, _transaction);
        command.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.TimestampTz) { Value = chunk.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
        command.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.TimestampTz) { Value = chunk.End.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
        return command;
    }

    [GeneratedRegex(@"@start\b", RegexOptions.IgnoreCase)]
    private static partial Regex StartParameter();

    [GeneratedRegex(@"@end\b", RegexOptions.IgnoreCase)]
    private static partial Regex EndParameter();
}
