using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.LocalRun;
using Jobs.Store;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// A record that disappears from its source is gone from every table once its date chunk is re-run (ingest, chunk,
/// embed, validate, load, validate after load): documents, chunks, embeddings, the id registry and PostgreSQL. The
/// other chunk's rows, and the Delta files that hold them, stay as they were.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DeletePropagationTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateChunk Week1 = new(new DateOnly(2033, 2, 7), new DateOnly(2033, 2, 14));
    private static readonly DateChunk Week2 = new(new DateOnly(2033, 2, 14), new DateOnly(2033, 2, 21));
    private readonly TempDirectory _dir = new("delete-propagation");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Records =
    [
        """{"id":"del-keep-1","timestamp":"2033-02-08T09:00:00Z","title":"Harbour","text":"The harbour authority reopened the northern pier after the storm repairs."}""",
        """{"id":"del-gone","timestamp":"2033-02-09T10:00:00Z","title":"Orchard","text":"Apple growers reported an early frost that damaged the blossoms in the valley."}""",
        """{"id":"del-keep-2","timestamp":"2033-02-10T11:00:00Z","title":"Library","text":"The city library extended its opening hours for the exam season."}""",
        """{"id":"del-other-1","timestamp":"2033-02-15T12:00:00Z","title":"Tram","text":"A new tram line will connect the station to the university campus."}""",
        """{"id":"del-other-2","timestamp":"2033-02-16T13:00:00Z","title":"Market","text":"Farmers at the Saturday market sold out of strawberries by noon."}""",
    ];

    private string Lake => _dir.Combine("lake");
    private string? _pg;

    /// <summary>A database of its own: the collection's default one is PipelineEndToEndTests', which counts its rows.</summary>
    private async Task<string> PgAsync() => _pg ??= await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "delete_propagation", fresh: true, Ct);
    private string Source => _dir.Combine("source", "records.jsonl");

    private async Task RunAsync(params DateChunk[] chunks)
    {
        foreach (var step in PipelinePlan.For(chunks, Lake, await PgAsync(), ["--source", Source]))
        {
            var run = await StageRun.RunAsync(step.Stage, step.Args);
            Assert.True(run.ExitCode == ExitCodes.Success, $"{step.Stage.Name} {string.Join(' ', step.Args.Take(4))} exited {run.ExitCode}: {run.Log}");
        }
    }

    private async Task<List<T>> ReadAsync<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(Lake, spec).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);

    /// <summary>What week 2 holds everywhere: Delta files of its days, its rows in PostgreSQL.</summary>
    private async Task<List<string>> Week2StateAsync()
    {
        var state = new List<string>();
        state.AddRange(await Week2FilesAsync(LakeTables.Documents));
        state.AddRange(await Week2FilesAsync(LakeTables.Quarantine));
        state.AddRange(await Week2FilesAsync(LakeTables.DocumentIds));
        state.AddRange(await Week2FilesAsync(LakeTables.Chunks));
        state.AddRange(await Week2FilesAsync(LakeTables.Embeddings));
        await using var db = PgDataSource.Create(await PgAsync());
        var audit = new StoreAudit(db);
        foreach (var table in new[] { StoreAudit.Table.Documents, StoreAudit.Table.Chunks })
            state.AddRange((await audit.RowsAsync(table, Week2.Start, Week2.End, Ct)).Select(kv => $"pg {table} {kv.Key} {kv.Value}"));
        return state.Order(StringComparer.Ordinal).ToList();
    }

    private async Task<IEnumerable<string>> Week2FilesAsync<T>(TableSpec<T> spec) where T : class, new()
    {
        var snapshot = await new DeltaTable<T>(Lake, spec).SnapshotAsync(cancellationToken: Ct);
        return snapshot.Files.Where(f => DayPartition.Within(Week2).Matches(f.PartitionValues)).Select(f => $"{spec.Name} {f.Path}");
    }

    [Fact]
    public async Task Rerun_RecordRemovedFromSource_IsGoneFromEveryTableAndTheOtherChunkIsUntouched()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Source)!);
        await File.WriteAllLinesAsync(Source, Records, Ct);
        await RunAsync(Week1, Week2);

        var goneChunks = (await ReadAsync(LakeTables.Chunks)).Where(c => c.DocId == "del-gone").Select(c => c.ChunkId).ToList();
        Assert.NotEmpty(goneChunks);
        await using var db = PgDataSource.Create(await PgAsync());
        var audit = new StoreAudit(db);
        Assert.Contains("del-gone", (await audit.RowsAsync(StoreAudit.Table.Documents, Week1.Start, Week1.End, Ct)).Keys);
        var week2 = await Week2StateAsync();
        Assert.Contains(week2, s => s.StartsWith("pg Documents del-other-1 ", StringComparison.Ordinal));

        await File.WriteAllLinesAsync(Source, Records.Where(r => !r.Contains("\"del-gone\"", StringComparison.Ordinal)), Ct);
        await RunAsync(Week1);

        Assert.Equal(["del-keep-1", "del-keep-2", "del-other-1", "del-other-2"], (await ReadAsync(LakeTables.Documents)).Select(d => d.DocId).Order());
        Assert.DoesNotContain(await ReadAsync(LakeTables.DocumentIds), r => r.DocId == "del-gone");
        Assert.DoesNotContain(await ReadAsync(LakeTables.Chunks), c => c.DocId == "del-gone");
        Assert.DoesNotContain(await ReadAsync(LakeTables.Embeddings), e => e.DocId == "del-gone" || goneChunks.Contains(e.ChunkId));
        var pgDocuments = await audit.RowsAsync(StoreAudit.Table.Documents, Week1.Start, Week1.End, Ct);
        Assert.Equal(["del-keep-1", "del-keep-2"], pgDocuments.Keys.Order());
        var pgChunks = await audit.RowsAsync(StoreAudit.Table.Chunks, Week1.Start, Week1.End, Ct);
        Assert.NotEmpty(pgChunks);
        Assert.DoesNotContain(pgChunks.Keys, goneChunks.Contains);
        Assert.Equal(week2, await Week2StateAsync());
    }

    public void Dispose() => _dir.Dispose();
}
