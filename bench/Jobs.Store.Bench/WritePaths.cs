using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using Pgvector;

namespace Jobs.Store.Bench;

/// <summary>
/// Ways to write the same rows into the same table (text id primary key, date, vector(384); logged, as the serving
/// table is): binary COPY from Npgsql with Pgvector's converter, prepared multi-row INSERTs, and psql's \copy run inside
/// the database container (no network between client and server) from files holding the same rows, as CSV (vectors as
/// text, which the server parses) and in COPY's binary format (the bytes Npgsql sends).
/// </summary>
internal static class WritePaths
{
    public const string Table = "bench_chunks";
    public const string CsvInContainer = "/tmp/jobs-store-bench.csv";
    public const string BinaryInContainer = "/tmp/jobs-store-bench.bin";

    public static async Task ResetAsync(NpgsqlDataSource db, string table = Table)
    {
        await using var cmd = db.CreateCommand($"""
            CREATE EXTENSION IF NOT EXISTS vector;
            DROP TABLE IF EXISTS {table};
            CREATE TABLE {table} (chunk_id text PRIMARY KEY, day date NOT NULL, embedding vector({BenchData.Dimensions}) NOT NULL);
            CHECKPOINT;
            """);
        await cmd.ExecuteNonQueryAsync();
        await using var connection = await db.OpenConnectionAsync();
        await connection.ReloadTypesAsync(); // the vector type may have just been created
    }

    public static async Task<TimeSpan> BinaryCopyAsync(NpgsqlDataSource db, BenchData data, string table = Table)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync($"COPY {table} (chunk_id, day, embedding) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < data.Count; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(data.Ids[i], NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync(data.DaysOf[i], NpgsqlTypes.NpgsqlDbType.Date);
                await writer.WriteAsync(new Vector(data.Vectors[i]));
            }
            await writer.CompleteAsync();
        }
        return clock.Elapsed;
    }

    /// <summary>
    /// INSERT ... VALUES ($1, $2, $3), ... of <paramref name="batch"/> rows: one statement prepared once (server-side,
    /// so parsed and planned once) and executed with new values per batch, binary parameters, one transaction.
    /// </summary>
    public static async Task<TimeSpan> MultiRowInsertAsync(NpgsqlDataSource db, BenchData data, int batch)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var full = Statement(connection, tx, Math.Min(batch, data.Count));
        await full.PrepareAsync();
        var start = 0;
        for (; start + batch <= data.Count; start += batch)
        {
            Bind(full, data, start);
            await full.ExecuteNonQueryAsync();
        }
        if (start < data.Count)
        {
            await using var rest = Statement(connection, tx, data.Count - start);
            Bind(rest, data, start);
            await rest.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return clock.Elapsed;
    }

    /// <summary>
    /// INSERT ... VALUES ('id', 'day', '[v1,v2,...]'), ... of <paramref name="batch"/> rows as SQL text, one statement per
    /// batch, one transaction: the batched INSERT most clients send (psycopg's <c>execute_values</c>, JDBC batches
    /// rewritten to multi-row statements, ORMs' bulk inserts), where the vector travels as pgvector's text form and the
    /// server parses it. Floats are written with the shortest round-trip form, so the stored vectors equal COPY's.
    /// </summary>
    public static async Task<TimeSpan> MultiRowLiteralInsertAsync(NpgsqlDataSource db, BenchData data, int batch)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var sql = new StringBuilder();
        for (var start = 0; start < data.Count; start += batch)
        {
            sql.Clear().Append(CultureInfo.InvariantCulture, $"INSERT INTO {Table} (chunk_id, day, embedding) VALUES ");
            for (var i = start; i < Math.Min(data.Count, start + batch); i++)
            {
                if (i > start) sql.Append(',');
                sql.Append(CultureInfo.InvariantCulture, $"('{data.Ids[i]}','{data.DaysOf[i]:yyyy-MM-dd}','[");
                var v = data.Vectors[i];
                for (var d = 0; d < v.Length; d++)
                {
                    if (d > 0) sql.Append(',');
                    sql.Append(v[d].ToString("R", CultureInfo.InvariantCulture));
                }
                sql.Append("]')");
            }
            await using var cmd = new NpgsqlCommand(sql.ToString(), connection, tx);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return clock.Elapsed;
    }

    private static NpgsqlCommand Statement(NpgsqlConnection connection, NpgsqlTransaction tx, int rows)
    {
        var sql = new StringBuilder($"INSERT INTO {Table} (chunk_id, day, embedding) VALUES ");
        var cmd = new NpgsqlCommand { Connection = connection, Transaction = tx };
        for (var j = 0; j < rows; j++)
        {
            if (j > 0) sql.Append(',');
            sql.Append(CultureInfo.InvariantCulture, $"(${3 * j + 1}, ${3 * j + 2}, ${3 * j + 3})");
            cmd.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
            cmd.Parameters.Add(new NpgsqlParameter<Vector>());
        }
        cmd.CommandText = sql.ToString();
        return cmd;
    }

    private static void Bind(NpgsqlCommand cmd, BenchData data, int start)
    {
        for (var j = 0; j < cmd.Parameters.Count / 3; j++)
        {
            ((NpgsqlParameter<string>)cmd.Parameters[3 * j]).TypedValue = data.Ids[start + j];
            ((NpgsqlParameter<DateOnly>)cmd.Parameters[3 * j + 1]).TypedValue = data.DaysOf[start + j];
            ((NpgsqlParameter<Vector>)cmd.Parameters[3 * j + 2]).TypedValue = new Vector(data.Vectors[start + j]);
        }
    }

    /// <summary>A digest of the table's rows (ids, days and vectors as text), to show two write paths stored the same rows.</summary>
    public static async Task<string> DigestAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand($"SELECT count(*) || ':' || md5(string_agg(chunk_id || day || embedding::text, ',' ORDER BY chunk_id)) FROM {Table}");
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Writes the table's rows to files in the container, as CSV and as binary COPY data (untimed).</summary>
    public static void ExportFiles(string container)
    {
        Psql(container, $"\\copy {Table} (chunk_id, day, embedding) TO '{CsvInContainer}' (FORMAT csv)");
        Psql(container, $"\\copy {Table} (chunk_id, day, embedding) TO '{BinaryInContainer}' (FORMAT binary)");
    }

    /// <summary>psql \copy from a file in the container, timed in the container around psql alone (not docker exec).</summary>
    public static TimeSpan PsqlCopy(string container, bool binary) =>
        Psql(container, $"\\copy {Table} (chunk_id, day, embedding) FROM '{(binary ? BinaryInContainer : CsvInContainer)}' (FORMAT {(binary ? "binary" : "csv")})");

    /// <summary>psql connecting and running nothing: its start, subtracted from the \copy runs.</summary>
    public static TimeSpan PsqlStart(string container) => Psql(container, "SELECT 1");

    private static TimeSpan Psql(string container, string command)
    {
        // The server trusts local (Unix socket) connections inside its container: no password travels.
        var script = "s=$(date +%s%N); psql -X -q -v ON_ERROR_STOP=1 -U jobs -d jobs -c \"$1\" >/dev/null || exit 1; e=$(date +%s%N); echo $((e - s))";
        var start = new ProcessStartInfo("docker")
        {
            ArgumentList = { "exec", "-u", "postgres", container, "sh", "-c", script, "sh", command },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var psql = Process.Start(start)!;
        var output = psql.StandardOutput.ReadToEnd();
        var error = psql.StandardError.ReadToEnd();
        psql.WaitForExit();
        if (psql.ExitCode != 0) throw new InvalidOperationException($"psql in the container failed ({psql.ExitCode}): {error}");
        return TimeSpan.FromTicks(long.Parse(output.Trim(), CultureInfo.InvariantCulture) / 100);
    }
}
