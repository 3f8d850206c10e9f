using System.Diagnostics;
using System.Runtime.CompilerServices;
using Jobs.Contracts;
using Npgsql;
using Pgvector;

namespace Jobs.Store.Bench;

/// <summary>
/// The loader's own write path on the bench rows (one document per day, each chunk a short passage with its content
/// hash, as the lake gives them): a binary COPY of the three bench columns into a session temp table without an index
/// (what staging costs at most), the loader's staging (<c>LoadStaging.CopyAsync</c>: ten columns into a temp table,
/// then its primary key and ANALYZE), and a whole <see cref="DateRangeLoader.ReplaceAsync"/> into an empty migrated store.
/// </summary>
internal static class LoaderPath
{
    public static DateOnly End => BenchData.FirstDay.AddDays(BenchData.Days);

    public static async Task<TimeSpan> CopyIntoTempAsync(NpgsqlDataSource db, BenchData data)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand(
            $"DROP TABLE IF EXISTS bench_temp; CREATE TEMP TABLE bench_temp (chunk_id text NOT NULL, day date NOT NULL, embedding vector NOT NULL)", connection))
            await create.ExecuteNonQueryAsync();
        var clock = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY bench_temp (chunk_id, day, embedding) FROM STDIN (FORMAT BINARY)"))
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
        var elapsed = clock.Elapsed;
        await using (var drop = new NpgsqlCommand("DROP TABLE bench_temp", connection)) await drop.ExecuteNonQueryAsync();
        return elapsed;
    }

    public static async Task<TimeSpan> StageAsync(NpgsqlDataSource db, BenchData data)
    {
        await using var connection = await db.OpenConnectionAsync();
        var clock = Stopwatch.StartNew();
        var (_, chunks) = await LoadStaging.CopyAsync(connection, BenchData.FirstDay, End, Documents(data), Chunks(data), CancellationToken.None);
        var elapsed = clock.Elapsed;
        if (chunks != data.Count) throw new InvalidOperationException($"staged {chunks} chunks of {data.Count}");
        await using (var drop = new NpgsqlCommand("DROP TABLE load_documents, load_chunks", connection)) await drop.ExecuteNonQueryAsync();
        return elapsed;
    }

    /// <summary>
    /// A whole load of the rows into an empty store (schema migrated first, untimed): staging, then the applying
    /// transaction, with the HNSW index of the migrations maintained row by row, or dropped before the load.
    /// </summary>
    public static async Task<TimeSpan> ReplaceAsync(string adminConnection, BenchData data, bool withHnsw)
    {
        var connection = await Jobs.LocalRun.LocalPostgres.DatabaseAsync(adminConnection, "bench_store", fresh: true);
        // No command timeout: the applying statement of a large first load into an HNSW-indexed table runs for minutes.
        await using var db = PgDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { CommandTimeout = 0 }.ConnectionString);
        await new PgSchema(db, EmbeddingModels.Default).EnsureAsync();
        if (!withHnsw)
        {
            await using var drop = db.CreateCommand("DROP INDEX chunks_embedding_hnsw");
            await drop.ExecuteNonQueryAsync();
        }
        var clock = Stopwatch.StartNew();
        var result = await new DateRangeLoader(db).ReplaceAsync(BenchData.FirstDay, End, Documents(data), Chunks(data));
        var elapsed = clock.Elapsed;
        if (result.Chunks.Inserted != data.Count) throw new InvalidOperationException($"loaded {result.Chunks.Inserted} chunks of {data.Count}");
        return elapsed;
    }

    private static async IAsyncEnumerable<StoredDocument> Documents(BenchData data, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        for (var d = 0; d < BenchData.Days && d < data.Count; d++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var day = BenchData.FirstDay.AddDays(d);
            const string text = "A bench document.";
            yield return new StoredDocument($"doc-{d:D3}", day, day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), "Bench", "bench", "bench", text)
            {
                ContentHash = ContentHash.Of(text),
            };
        }
    }

    private static async IAsyncEnumerable<StoredChunk> Chunks(BenchData data, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        for (var i = 0; i < data.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = $"Passage {i} of the bench.";
            yield return new StoredChunk(data.Ids[i], $"doc-{i % BenchData.Days:D3}", data.DaysOf[i], i / BenchData.Days, text, 6,
                EmbeddingModels.Default.Id, data.Vectors[i])
            {
                Category = "bench",
                ContentHash = ContentHash.Of(text),
            };
        }
    }
}
