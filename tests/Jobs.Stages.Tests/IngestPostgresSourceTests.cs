using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.LocalRun;
using Jobs.Tables;
using Jobs.Testing;
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>A real PostgreSQL server (the locally built pgvector image, through Testcontainers) holding a source table.</summary>
public sealed class SourcePostgres : IAsyncLifetime
{
    public PostgreSqlContainer Container { get; } = LocalPostgres.Create();

    public string ConnectionString => Container.GetConnectionString();

    public async ValueTask InitializeAsync()
    {
        await Container.StartAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            CREATE TABLE tickets (id text, created_at timestamptz, body text, subject text, category text, local_time timestamp, attachment bytea);
            CREATE INDEX ON tickets (created_at);
            INSERT INTO tickets
            SELECT 't-' || d || '-' || n, timestamptz '2024-03-01 00:00:00+00' + (d || ' days')::interval + (n || ' minutes')::interval,
                   'Ticket ' || n || ' of day ' || d || ': the printer on floor two is jammed again.', 'Printer ' || n, 'hardware',
                   timestamp '2024-03-01 00:30:00' + (d || ' days')::interval, NULL
            FROM generate_series(0, 2) d, generate_series(1, 4) n;
            INSERT INTO tickets VALUES
              (NULL,     '2024-03-02 10:00:00+00', 'A ticket without id.', 'No id', 'hardware', NULL, NULL),
              ('empty',  '2024-03-02 11:00:00+00', '   ', 'Blank', 'hardware', NULL, NULL),
              ('t-1-1',  '2024-03-02 12:00:00+00', 'Same id as another ticket, other text.', 'Dup', 'hardware', NULL, NULL),
              ('undated', NULL, 'A ticket whose time was lost.', 'Undated', 'hardware', NULL, NULL),
              ('binary', '2024-03-02 13:00:00+00', NULL, 'Binary', 'hardware', NULL, '\xc328'::bytea);
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync() => await Container.DisposeAsync();
}

/// <summary>
/// A PostgreSQL query as an ingest source: the run passes its half-open range as @start and @end so it reads only its
/// day, streams the rows as <c>query:row N</c>, reconciles them with the server's count(*) over the same snapshot,
/// quarantines null ids and timestamps with their reasons, and never shows the connection string.
/// </summary>
public sealed class IngestPostgresSourceTests(SourcePostgres postgres) : IClassFixture<SourcePostgres>, IDisposable
{
    private const string Variable = "TICKETS_PG";
    private const string Query = """
        SELECT id, created_at, body AS text, subject AS title, category FROM tickets
        WHERE (created_at >= @start AND created_at < @end) OR created_at IS NULL
        ORDER BY created_at NULLS FIRST, id;
        """;

    private readonly TempDirectory _dir = new("ingest-pg");
    private string Lake => _dir.Combine("lake");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<StageRunResult> Ingest(string start, string end, string? connectionString, params string[] args) =>
        StageRun.RunAsync(new IngestStage(), connectionString is null ? null : new Dictionary<string, string> { [Variable] = connectionString },
            ["--start", start, "--end", end, "--lake", Lake, "--format", "postgres", "--source-pg-env", Variable, "--time-field", "created_at", "--max-quarantined-share", "1", .. args]);

    private async Task<List<T>> Read<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(Lake, spec).ReadAsync(PartitionPredicate.All, Ct).ToListAsync(Ct);

    [Fact]
    public async Task Run_QueryOverOneDay_ReadsOnlyThatDayAndQuarantinesBadRowsWithTheirReasons()
    {
        var run = await Ingest("2024-03-02", "2024-03-03", postgres.ConnectionString, "--source", Query);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        // Day 1's 4 tickets + 5 odd rows of that day or undated; days 0 and 2 (8 rows) are not read.
        Assert.Equal((9L, 9L), (run.Counts["input"], run.Counts["read"]));
        Assert.Equal((4L, 5L, 1L, 0L, 0L), (run.Counts["accepted"], run.Counts["quarantined"], run.Counts["quarantined_undated"], run.Counts["duplicates"], run.Counts["other_chunks"]));
        var docs = (await Read(LakeTables.Documents)).OrderBy(d => d.DocId, StringComparer.Ordinal).ToList();
        Assert.Equal(["t-1-1", "t-1-2", "t-1-3", "t-1-4"], docs.Select(d => d.DocId));
        Assert.Equal((new DateTime(2024, 3, 2, 0, 1, 0, DateTimeKind.Utc), "Printer 1", "hardware", "query"), (docs[0].Timestamp, docs[0].Title, docs[0].Category, docs[0].Source));
        var quarantine = await Read(LakeTables.Quarantine);
        Assert.Equal(new Dictionary<string, string>
        {
            ["query:row 1"] = QuarantineReasons.MissingTimestamp, // NULLS FIRST
            ["query:row 6"] = QuarantineReasons.MissingId,
            ["query:row 7"] = QuarantineReasons.EmptyText,
            ["query:row 8"] = QuarantineReasons.DuplicateId,
            ["query:row 9"] = QuarantineReasons.EmptyText,
        }, quarantine.ToDictionary(q => q.RecordRef, q => q.Reason));
        Assert.Contains("kept query:row 2", quarantine.Single(q => q.Reason == QuarantineReasons.DuplicateId).Detail, StringComparison.Ordinal);
        Assert.Contains("A ticket without id.", quarantine.Single(q => q.Reason == QuarantineReasons.MissingId).Raw, StringComparison.Ordinal);
        Assert.All(quarantine, q => Assert.Equal(("ingest", "query"), (q.Stage, q.Source)));
        var password = new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Password!;
        Assert.DoesNotContain(password, run.Log, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL source", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ZoneLessTimestampColumn_IsComparedAndParsedInTheTimeZone()
    {
        // local_time is 00:30 wall-clock time; in Tokyo (UTC+9) day 2's 00:30 is 15:30 UTC of the day before.
        var run = await Ingest("2024-03-02", "2024-03-03", postgres.ConnectionString, "--time-zone", "Asia/Tokyo", "--source",
            "SELECT id, local_time AS created_at, body AS text FROM tickets WHERE local_time >= @start AND local_time < @end");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((4L, 4L, 0L), (run.Counts["read"], run.Counts["accepted"], run.Counts["other_chunks"]));
        var docs = await Read(LakeTables.Documents);
        Assert.Equal(["t-2-1", "t-2-2", "t-2-3", "t-2-4"], docs.Select(d => d.DocId).Order(StringComparer.Ordinal));
        Assert.All(docs, d => Assert.Equal(new DateTime(2024, 3, 2, 15, 30, 0, DateTimeKind.Utc), d.Timestamp));
    }

    [Fact]
    public async Task Run_ByteaThatIsNotUtf8_IsQuarantinedAsInvalidUtf8()
    {
        var run = await Ingest("2024-03-02", "2024-03-03", postgres.ConnectionString, "--source",
            "SELECT id, created_at, attachment AS text FROM tickets WHERE id = 'binary' AND created_at >= @start AND created_at < @end");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var row = Assert.Single(await Read(LakeTables.Quarantine));
        Assert.Equal((QuarantineReasons.InvalidUtf8, "query:row 1"), (row.Reason, row.RecordRef));
    }

    [Fact]
    public async Task Run_QueryWithoutTheRange_IsRefusedBeforeConnecting()
    {
        var run = await Ingest("2024-03-02", "2024-03-03", postgres.ConnectionString, "--source", "SELECT id, created_at, body AS text FROM tickets");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.Log);
        Assert.Contains("must select the chunk with @start and @end", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_VariableNotSet_IsAUsageErrorNamingTheVariable()
    {
        var run = await Ingest("2024-03-02", "2024-03-03", null, "--source", Query);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.Log);
        Assert.Contains($"the environment variable {Variable} is not set", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_QueryTheServerRejects_IsAConfigurationErrorAndNothingIsWritten()
    {
        var run = await Ingest("2024-03-02", "2024-03-03", postgres.ConnectionString, "--source",
            "SELECT id, created_at, body AS text FROM no_such_table WHERE created_at >= @start AND created_at < @end");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.Log);
        Assert.Contains("no_such_table", run.Log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Lake, "documents")));
    }

    public void Dispose() => _dir.Dispose();
}
