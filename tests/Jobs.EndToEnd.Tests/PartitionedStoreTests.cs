using Jobs.Contracts;
using Jobs.LocalRun;
using Jobs.Store;
using Jobs.Testing;
using Npgsql;
using Pgvector;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// The monthly partitions of chunks on real PostgreSQL + pgvector: an unpartitioned store from before is migrated with
/// its rows; a large first load of a month fills the partition before its HNSW index is built (with the configured m
/// and ef_construction); a date filter prunes the other months, shown by a lock held on one of them that a pruned load
/// or search never waits for; halfvec storage round-trips and is searched through its own index.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PartitionedStoreTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateChunk March = new(new DateOnly(2024, 3, 4), new DateOnly(2024, 3, 11));
    private static readonly DateChunk April = new(new DateOnly(2024, 4, 8), new DateOnly(2024, 4, 15));
    private readonly TempDirectory _lake = new("partition-lake");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> DatabaseAsync(string name) => await LocalPostgres.DatabaseAsync(postgres.ConnectionString, name, fresh: true, Ct);

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlDataSource db, string sql)
    {
        var values = new List<string>();
        await using var cmd = db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) values.Add(reader.GetString(0));
        return values;
    }

    private static Task<List<string>> PartitionsAsync(NpgsqlDataSource db) => ColumnAsync(db,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'chunks'::regclass ORDER BY 1");

    private static RowSetDigest LakeDigest(SyntheticLake lake) => lake.Chunks.Aggregate(default(RowSetDigest), (d, c) => d.Add(c.ChunkId, c.ContentHash));

    [Fact]
    public async Task EnsureSchema_UnpartitionedStoreFromBefore_MovesItsRowsIntoMonthPartitions()
    {
        await using var db = PgDataSource.Create(await DatabaseAsync("partition_migrate"));
        var (march, april) = (new SyntheticLake(_lake.Path, March, seed: 1), new SyntheticLake(_lake.Path, April, seed: 2));
        var all = Jobs.Store.Migrations.SchemaMigrations.All;
        await using (var cmd = db.CreateCommand(all[0].Sql(new(384, 16, 64)) + ";" + all[1].Sql(new(384, 16, 64)))) await cmd.ExecuteNonQueryAsync(Ct);
        await using (var connection = await db.OpenConnectionAsync(Ct))
        {
            await connection.ReloadTypesAsync(Ct);
            foreach (var lake in new[] { march, april })
            {
                foreach (var d in lake.Documents)
                    await using (var cmd = new NpgsqlCommand("INSERT INTO documents VALUES (@id, @day, @ts, 't', @category, 's', @text, @hash)", connection))
                    {
                        cmd.Parameters.AddWithValue("id", d.DocId);
                        cmd.Parameters.AddWithValue("day", d.Day);
                        cmd.Parameters.AddWithValue("ts", d.Timestamp);
                        cmd.Parameters.AddWithValue("category", d.Category!);
                        cmd.Parameters.AddWithValue("text", d.Text);
                        cmd.Parameters.AddWithValue("hash", d.ContentHash);
                        await cmd.ExecuteNonQueryAsync(Ct);
                    }
                await foreach (var c in lake.StoredChunks())
                    await using (var cmd = new NpgsqlCommand("""
                        INSERT INTO chunks (chunk_id, doc_id, day, ordinal, text, token_count, model, category, embedding, theme_id, content_hash)
                        VALUES (@id, @doc, @day, @ordinal, @text, @tokens, @model, @category, @embedding, 'theme-1', @hash)
                        """, connection))
                    {
                        cmd.Parameters.AddWithValue("id", c.ChunkId);
                        cmd.Parameters.AddWithValue("doc", c.DocId);
                        cmd.Parameters.AddWithValue("day", c.Day);
                        cmd.Parameters.AddWithValue("ordinal", c.Ordinal);
                        cmd.Parameters.AddWithValue("text", c.Text);
                        cmd.Parameters.AddWithValue("tokens", c.TokenCount);
                        cmd.Parameters.AddWithValue("model", c.Model);
                        cmd.Parameters.AddWithValue("category", c.Category!);
                        cmd.Parameters.AddWithValue("embedding", new Vector(c.Embedding));
                        cmd.Parameters.AddWithValue("hash", c.ContentHash!);
                        await cmd.ExecuteNonQueryAsync(Ct);
                    }
            }
        }

        Assert.Equal([1, 2, 3, 4], await new PgSchema(db, SyntheticLake.Model).EnsureAsync(Ct));
        Assert.Equal("p", (await ScalarAsync<char>(db, "SELECT relkind FROM pg_class WHERE oid = 'chunks'::regclass")).ToString());
        Assert.Equal(["chunks_p202403", "chunks_p202404"], await PartitionsAsync(db));
        var audit = new StoreAudit(db);
        Assert.Equal(LakeDigest(march), await audit.DigestAsync(StoreAudit.Table.Chunks, March.Start, March.End, Ct));
        Assert.Equal(LakeDigest(april), await audit.DigestAsync(StoreAudit.Table.Chunks, April.Start, April.End, Ct));
        Assert.Equal(56L, await ScalarAsync<long>(db, "SELECT count(*) FROM chunks WHERE theme_id = 'theme-1'"));
        Assert.Equal(SyntheticLake.Model.Id, await ServedModel.ReadAsync(db, Ct));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM pg_class WHERE relname = 'chunks_unpartitioned'"));

        // The vectors came across unchanged: a reload finds nothing to rewrite, and a stored vector finds itself.
        var reload = await new DateRangeLoader(db).ReplaceAsync(March.Start, March.End, march.StoredDocuments(), march.StoredChunks(), Ct);
        Assert.Equal(new ApplyCounts(28, 0, 0, 0), reload.Chunks);
        var probe = march.Embeddings[5];
        var hit = (await new VectorSearch(db).SearchAsync(probe.Embedding, 1, cancellationToken: Ct))[0];
        Assert.Equal(probe.ChunkId, hit.ChunkId);
        Assert.True(hit.Score > 0.9999, $"score {hit.Score}");
    }

    [Fact]
    public async Task Replace_LargeFirstLoadOfAMonth_FillsThePartitionBeforeBuildingItsIndexes()
    {
        var options = new StoreOptions { BulkIndexRows = 1000, HnswM = 8, HnswEfConstruction = 32, MaintenanceWorkMem = "64MB", MaxParallelMaintenanceWorkers = 0 };
        await using var db = PgDataSource.Create(await DatabaseAsync("partition_bulk"));
        await new PgSchema(db, SyntheticLake.Model, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<PgSchema>.Instance).EnsureAsync(Ct);
        var loader = new DateRangeLoader(db, options);
        var wholeMarch = new DateChunk(new DateOnly(2024, 3, 1), new DateOnly(2024, 4, 1));
        var big = new SyntheticLake(_lake.Path, wholeMarch, documentsPerDay: 20, seed: 3);
        var small = new SyntheticLake(_lake.Path, April, seed: 4);

        var first = await loader.ReplaceAsync(wholeMarch.Start, wholeMarch.End, big.StoredDocuments(), big.StoredChunks(), Ct);
        Assert.Equal(new ApplyCounts(1240, 1240, 0, 0), first.Chunks);
        Assert.Equal([new NewPartition("chunks_p202403", 1240)], first.NewPartitions);
        var second = await loader.ReplaceAsync(April.Start, April.End, small.StoredDocuments(), small.StoredChunks(), Ct);
        Assert.Equal([new NewPartition("chunks_p202404", 0)], second.NewPartitions); // under the threshold: rows go through the index
        var again = await loader.ReplaceAsync(wholeMarch.Start, wholeMarch.End, big.StoredDocuments(), big.StoredChunks(), Ct);
        Assert.Equal((new ApplyCounts(1240, 0, 0, 0), 0), (again.Chunks, again.NewPartitions.Count));

        // Each partition has its own HNSW index, built with the configured parameters, and the date-filtered query uses it.
        Assert.Equal(["chunks_p202403:m=8,ef_construction=32", "chunks_p202404:m=8,ef_construction=32"], await ColumnAsync(db, """
            SELECT t.relname || ':' || array_to_string(i.reloptions, ',') FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am a ON a.oid = i.relam WHERE a.amname = 'hnsw' AND t.relispartition ORDER BY 1
            """));
        var index = await ScalarAsync<string>(db, "SELECT indexname FROM pg_indexes WHERE tablename = 'chunks_p202403' AND indexdef LIKE '%USING hnsw%'");
        var probe = big.Embeddings[100];
        var query = $"""
            EXPLAIN SELECT chunk_id FROM chunks WHERE day >= '2024-03-10' AND day < '2024-03-17'
            ORDER BY embedding <=> '{new Vector(probe.Embedding)}'::vector LIMIT 10
            """;
        var pruned = string.Join("\n", await ColumnAsync(db, query));
        Assert.True(pruned.Contains("on chunks_p202403", StringComparison.Ordinal) && !pruned.Contains("chunks_p202404", StringComparison.Ordinal), pruned);
        // At 1,240 rows the planner rightly prefers a scan of the week's rows; the index must still be able to serve the query.
        await using (var connection = await db.OpenConnectionAsync(Ct))
        {
            await using (var off = new NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off", connection))
                await off.ExecuteNonQueryAsync(Ct);
            await using var explain = new NpgsqlCommand(query, connection);
            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync(Ct))
                while (await reader.ReadAsync(Ct)) plan.Add(reader.GetString(0));
            Assert.True(plan.Any(l => l.Contains($"Index Scan using {index} on chunks_p202403", StringComparison.Ordinal)), string.Join("\n", plan));
        }

        var hits = await new HybridSearch(db).SearchAsync(new SearchRequest
        {
            Query = "x", Mode = SearchMode.Vector, K = 5, From = new DateOnly(2024, 3, 1), To = new DateOnly(2024, 4, 1),
        }, probe.Embedding, Ct);
        Assert.Equal(probe.ChunkId, hits[0].ChunkId);
        Assert.All(hits, h => Assert.Equal(3, h.Day.Month));
    }

    [Fact]
    public async Task ReloadAndSearch_WithinOneMonth_NeverTouchTheOtherMonthsPartitions()
    {
        var connection = await DatabaseAsync("partition_pruning");
        await using (var setup = PgDataSource.Create(connection))
        {
            await new PgSchema(setup, SyntheticLake.Model).EnsureAsync(Ct);
            var loader = new DateRangeLoader(setup);
            foreach (var lake in new[] { new SyntheticLake(_lake.Path, March, seed: 5), new SyntheticLake(_lake.Path, April, seed: 6) })
                await loader.ReplaceAsync(lake.Chunk.Start, lake.Chunk.End, lake.StoredDocuments(), lake.StoredChunks(), Ct);
        }
        // April's partition is locked against everything; a statement that so much as opened it would wait and, with
        // lock_timeout, fail.
        await using var blocker = new NpgsqlConnection(connection);
        await blocker.OpenAsync(Ct);
        await using var hold = await blocker.BeginTransactionAsync(Ct);
        await using (var cmd = new NpgsqlCommand("LOCK TABLE chunks_p202404 IN ACCESS EXCLUSIVE MODE", blocker, hold)) await cmd.ExecuteNonQueryAsync(Ct);

        await using var db = PgDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { Options = "-c lock_timeout=3000" }.ConnectionString);
        var v2 = new SyntheticLake(_lake.Path, March, seed: 99); // every chunk of the week different
        var reload = await new DateRangeLoader(db).ReplaceAsync(March.Start, March.End, v2.StoredDocuments(), v2.StoredChunks(), Ct);
        Assert.Equal((28L, 28L), (reload.Chunks.Inserted, reload.Chunks.Deleted));

        var probe = v2.Embeddings[3];
        var vector = await new VectorSearch(db).SearchAsync(probe.Embedding, 5, March.Start, March.End, Ct);
        Assert.Equal(probe.ChunkId, vector[0].ChunkId);
        var hybrid = await new HybridSearch(db).SearchAsync(new SearchRequest
        {
            Query = "x", Mode = SearchMode.Vector, K = 5, From = March.Start, To = March.End, GroupByDocument = true,
        }, probe.Embedding, Ct);
        Assert.Equal(probe.ChunkId, hybrid[0].ChunkId);

        // Without the filter the search must read April too, and waits for the lock: the check can fail.
        var blocked = await Assert.ThrowsAsync<PostgresException>(() => new VectorSearch(db).SearchAsync(probe.Embedding, 5, cancellationToken: Ct));
        Assert.Equal(PostgresErrorCodes.LockNotAvailable, blocked.SqlState);
        await hold.RollbackAsync(Ct);
    }

    [Fact]
    public async Task Store_Halfvec_RoundTripsAndIsSearchedThroughItsIndex()
    {
        var options = new StoreOptions { VectorType = "halfvec" };
        await using var db = PgDataSource.Create(await DatabaseAsync("partition_halfvec"));
        await new PgSchema(db, SyntheticLake.Model, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<PgSchema>.Instance).EnsureAsync(Ct);
        Assert.Equal("halfvec(384)", await ScalarAsync<string>(db,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'"));
        Assert.Contains("halfvec_cosine_ops", await ScalarAsync<string>(db, "SELECT pg_get_indexdef('chunks_embedding_hnsw'::regclass)"));

        var lake = new SyntheticLake(_lake.Path, March, seed: 8);
        var loader = new DateRangeLoader(db, options);
        Assert.Equal(new ApplyCounts(28, 28, 0, 0), (await loader.ReplaceAsync(March.Start, March.End, lake.StoredDocuments(), lake.StoredChunks(), Ct)).Chunks);
        // A re-run compares halfvec with halfvec: nothing is rewritten.
        Assert.Equal(new ApplyCounts(28, 0, 0, 0), (await loader.ReplaceAsync(March.Start, March.End, lake.StoredDocuments(), lake.StoredChunks(), Ct)).Chunks);

        // The stored vector is the original to half precision (11-bit significand).
        var probe = lake.Embeddings[9];
        await using (var cmd = db.CreateCommand("SELECT embedding::vector FROM chunks WHERE chunk_id = @id"))
        {
            cmd.Parameters.AddWithValue("id", probe.ChunkId);
            var stored = ((Vector)(await cmd.ExecuteScalarAsync(Ct))!).ToArray();
            Assert.Equal(probe.Embedding.Length, stored.Length);
            Assert.All(probe.Embedding.Zip(stored), p => Assert.True(Math.Abs(p.First - p.Second) <= Math.Abs(p.First) / 1024 + 1e-7, $"{p.First} vs {p.Second}"));
        }
        var hits = await new VectorSearch(db).SearchAsync(probe.Embedding, 3, cancellationToken: Ct);
        Assert.Equal(probe.ChunkId, hits[0].ChunkId);
        Assert.True(hits[0].Score > 0.999, $"score {hits[0].Score}");
        var hybrid = await new HybridSearch(db).SearchAsync(new SearchRequest { Query = "passage words", K = 3 }, probe.Embedding, Ct);
        Assert.Equal(probe.ChunkId, hybrid[0].ChunkId);

        await using var connection = await db.OpenConnectionAsync(Ct);
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection)) await off.ExecuteNonQueryAsync(Ct);
        await using var explain = new NpgsqlCommand(
            $"EXPLAIN SELECT chunk_id FROM chunks ORDER BY embedding <=> '{new Vector(probe.Embedding)}'::vector::halfvec LIMIT 3", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(Ct))
            while (await reader.ReadAsync(Ct)) plan.Add(reader.GetString(0));
        Assert.Contains(plan, line => line.Contains("Index Scan using chunks_p202403_embedding_idx", StringComparison.Ordinal));
    }

    public void Dispose() => _lake.Dispose();
}
