using Jobs.Contracts;
using Jobs.LocalRun;
using Jobs.Store;
using Npgsql;
using Pgvector;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// A date filter that keeps 1% of the chunks, on the HNSW index: plain HNSW finds ef_search candidates and filters them
/// afterwards (about one of a hundred passes), so only pgvector's iterative scan, which the searches switch on, still
/// returns k rows. On a table this small the planner would rather sort the day's rows exactly, as it may for a narrow
/// filter on a large one too; the test's sessions turn sorting and the other scans off, so the query takes the path a
/// large store takes, and the test checks the plan before it checks the rows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FilteredVectorSearchTests(PostgresFixture postgres)
{
    private const int Days = 100;
    private const int ChunksPerDay = 30;
    private const int K = 10;
    private static readonly DateOnly First = new(2024, 1, 1);
    private static readonly DateOnly Day = First.AddDays(41);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<NpgsqlDataSource> StoreAsync()
    {
        var connection = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "filtered_search", fresh: true, Ct);
        var forced = new NpgsqlConnectionStringBuilder(connection) { Options = "-c enable_sort=off -c enable_seqscan=off -c enable_bitmapscan=off" };
        var db = PgDataSource.Create(forced.ConnectionString);
        await new PgSchema(db, SyntheticLake.Model).EnsureAsync(Ct);
        var random = new Random(11);
        var documents = Enumerable.Range(0, Days).Select(d => new StoredDocument($"doc-{d}", First.AddDays(d),
            First.AddDays(d).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), "Title", "news", "test", "A document.")).ToList();
        var chunks = Enumerable.Range(0, Days * ChunksPerDay).Select(i => new StoredChunk($"chunk-{i}", $"doc-{i % Days}", First.AddDays(i % Days),
            i / Days, $"Passage {i}.", 3, SyntheticLake.Model.Id, SyntheticLake.UnitVector(random, SyntheticLake.Model.Dimensions))).ToList();
        await new DateRangeLoader(db).ReplaceAsync(First, First.AddDays(Days), documents.ToAsyncEnumerable(), chunks.ToAsyncEnumerable(), Ct);
        return db;
    }

    private static async Task AssertHnswPlanAsync(NpgsqlDataSource db, float[] query)
    {
        await using var cmd = db.CreateCommand("EXPLAIN SELECT chunk_id FROM chunks WHERE day >= @from AND day < @to ORDER BY embedding <=> @q LIMIT 10");
        cmd.Parameters.AddWithValue("from", Day);
        cmd.Parameters.AddWithValue("to", Day.AddDays(1));
        cmd.Parameters.AddWithValue("q", new Vector(query));
        var plan = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) plan.Add(reader.GetString(0));
        Assert.Contains(plan, line => line.Contains("Index Scan using chunks_", StringComparison.Ordinal) && line.Contains("embedding", StringComparison.Ordinal)); // the HNSW index of the month's partition
    }

    [Fact]
    public async Task VectorSearch_FilterKeepingOnePercent_StillReturnsK()
    {
        await using var db = await StoreAsync();
        var query = SyntheticLake.UnitVector(new Random(3), SyntheticLake.Model.Dimensions);
        await AssertHnswPlanAsync(db, query);

        var hits = await new VectorSearch(db).SearchAsync(query, K, Day, Day.AddDays(1), Ct);

        Assert.Equal(K, hits.Count);
        Assert.All(hits, h => Assert.Equal(Day, h.Day));
        Assert.Equal(hits.OrderByDescending(h => h.Score).Select(h => h.ChunkId), hits.Select(h => h.ChunkId)); // sorted again after relaxed_order
    }

    [Theory]
    [InlineData(SearchMode.Vector)]
    [InlineData(SearchMode.Hybrid)]
    public async Task HybridSearch_FilterKeepingOnePercent_StillReturnsK(SearchMode mode)
    {
        await using var db = await StoreAsync();
        var query = SyntheticLake.UnitVector(new Random(5), SyntheticLake.Model.Dimensions);
        await AssertHnswPlanAsync(db, query);
        // "zebra" matches no passage: in hybrid mode every hit comes from the vector list.
        var request = new SearchRequest { Query = "zebra", Mode = mode, K = K, From = Day, To = Day.AddDays(1), EfSearch = 40 };

        var hits = await new HybridSearch(db).SearchAsync(request, query, Ct);

        Assert.Equal(K, hits.Count);
        Assert.All(hits, h => Assert.Equal(Day, h.Day));
    }
}
