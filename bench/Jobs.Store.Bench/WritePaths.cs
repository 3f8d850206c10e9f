using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Jobs.Store.Bench;

/// <summary>Three ways to write the same rows into the same table: binary COPY, batched multi-row INSERT, psql's \copy of a CSV file.</summary>
internal static class WritePaths
{
    public const string Table = "bench_chunks";

    public static async Task ResetAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand($"""
            CREATE EXTENSION IF NOT EXISTS vector;
            DROP TABLE IF EXISTS {Table};
            CREATE TABLE {Table} (chunk_id text PRIMARY KEY, day date NOT NULL, embedding vector({BenchData.Dimensions}) NOT NULL);
            CHECKPOINT;
            """);
        await cmd.ExecuteNonQueryAsync();
        await using var connection = await db.OpenConnectionAsync();
        await connection.ReloadTypesAsync(); // the vector type may have just been created
    }

    public static async Task<TimeSpan> BinaryCopyAsync(NpgsqlDataSource db, BenchData data)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync($"COPY {Table} (chunk_id, day, embedding) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < data.Count; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(data.Ids[i], NpgsqlDbType.Text);
                await writer.WriteAsync(data.DaysOf[i], NpgsqlDbType.Date);
                await writer.WriteAsync(new Vector(data.Vectors[i]));
            }
            await writer.CompleteAsync();
        }
        return clock.Elapsed;
    }

    /// <summary>INSERT ... VALUES (..), (..) with bound parameters, <paramref name="batch"/> rows per statement, one transaction.</summary>
    public static async Task<TimeSpan> MultiRowInsertAsync(NpgsqlDataSource db, BenchData data, int batch = 500)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        for (var start = 0; start < data.Count; start += batch)
        {
            var n = Math.Min(batch, data.Count - start);
            var sql = new StringBuilder($"INSERT INTO {Table} (chunk_id, day, embedding) VALUES ");
            await using var cmd = new NpgsqlCommand { Connection = connection, Transaction = tx };
            for (var j = 0; j < n; j++)
            {
                if (j > 0) sql.Append(',');
                sql.Append(CultureInfo.InvariantCulture, $"(${3 * j + 1}, ${3 * j + 2}, ${3 * j + 3})");
                cmd.Parameters.Add(new NpgsqlParameter { Value = data.Ids[start + j], NpgsqlDbType = NpgsqlDbType.Text });
                cmd.Parameters.Add(new NpgsqlParameter { Value = data.DaysOf[start + j], NpgsqlDbType = NpgsqlDbType.Date });
                cmd.Parameters.Add(new NpgsqlParameter { Value = new Vector(data.Vectors[start + j]) });
            }
            cmd.CommandText = sql.ToString();
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return clock.Elapsed;
    }

    /// <summary>The rows as the CSV psql's \copy reads (written once, not timed).</summary>
    public static string WriteCsv(BenchData data)
    {
        var path = Path.Combine(Path.GetTempPath(), $"jobs-store-bench-{Environment.ProcessId}.csv");
        using var file = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        for (var i = 0; i < data.Count; i++)
        {
            file.Write(data.Ids[i]);
            file.Write(',');
            file.Write(data.DaysOf[i].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            file.Write(",\"[");
            var v = data.Vectors[i];
            for (var d = 0; d < v.Length; d++)
            {
                if (d > 0) file.Write(',');
                file.Write(v[d].ToString("R", CultureInfo.InvariantCulture));
            }
            file.Write("]\"\n");
        }
        return path;
    }

    public static TimeSpan PsqlCopy(string connectionString, string csv)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo("psql")
        {
            ArgumentList = { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", b.Host!, "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username!, "-d", b.Database!,
                "-c", $"\\copy {Table} (chunk_id, day, embedding) FROM '{csv}' (FORMAT csv)" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["PGPASSWORD"] = b.Password; // the child's environment only; never printed
        var clock = Stopwatch.StartNew();
        using var psql = Process.Start(start)!;
        var error = psql.StandardError.ReadToEnd();
        psql.WaitForExit();
        if (psql.ExitCode != 0) throw new InvalidOperationException($"psql \\copy failed ({psql.ExitCode}): {error}");
        return clock.Elapsed;
    }
}
