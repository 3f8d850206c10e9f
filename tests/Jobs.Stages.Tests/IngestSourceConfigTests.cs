using System.Text.Json;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// Sources described in the job's config file (JSON or YAML, <c>Ingest:Sources</c>), each with its own location,
/// format and mapping, read in one run; the flags stay the default mapping.
/// </summary>
public sealed class IngestSourceConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new("ingest-sources");

    private string Lake => _dir.Combine("lake");

    public IngestSourceConfigTests()
    {
        // Mail: RFC 2822 dates (one offset beyond ±14:00), subject and body joined, sender and tags kept as metadata.
        File.WriteAllLines(_dir.Combine("mail.jsonl"),
        [
            """{"message_id":"m1","date":"Tue, 1 Jul 2003 10:52:37 -1600","subject":"Budget","body":"Numbers attached.\n\nThanks","from":"Zoë \"Z\" <z@example.org>","tags":["a","b"]}""",
            """{"message_id":"m2","date":"Wed, 2 Jul 2003 09:00:00 +0000","subject":"","body":"No subject here","from":"x@example.org","tags":[]}""",
        ]);
        // Notes: another format, separator, time format, zone and field names.
        File.WriteAllLines(_dir.Combine("notes.csv"),
        [
            "key;when;headline;content;kind;author",
            "n1;31/12/2002 23:30;Year end;\"Closing the books; see you \"\"next\"\" year\";memo;Ana",
        ]);
    }

    private object Config(string notesId = "key") => new Dictionary<string, object>
    {
        ["Ingest"] = new Dictionary<string, object>
        {
            ["Sources"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["Location"] = _dir.Combine("mail.jsonl"), ["IdField"] = "message_id", ["TimeField"] = "date", ["TimeFormat"] = new[] { "rfc2822" },
                    ["TextFields"] = new[] { "subject", "body" }, ["TitleField"] = "subject", ["CategoryField"] = "", ["MetadataFields"] = new[] { "from", "tags", "cc" },
                },
                new Dictionary<string, object>
                {
                    ["Location"] = _dir.Combine("notes.csv"), ["Format"] = "csv", ["CsvSeparator"] = ";", ["IdField"] = notesId, ["TimeField"] = "when",
                    ["TimeFormat"] = new[] { "dd/MM/yyyy HH:mm" }, ["TimeZone"] = "Europe/Paris", ["TextFields"] = new[] { "content" },
                    ["TitleField"] = "headline", ["CategoryField"] = "kind", ["MetadataFields"] = new[] { "author" },
                },
            },
        },
    };

    private string WriteJson(object config)
    {
        var path = _dir.Combine($"ingest-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    private Task<StageRunResult> Ingest(string config, string start = "2002-12-01", params string[] extra) =>
        StageRun.RunAsync(new IngestStage(), ["--start", start, "--end", "2003-08-01", "--lake", Lake, "--config", config, .. extra]);

    private async Task<Dictionary<string, DocumentRow>> Documents() =>
        (await new DeltaTable<DocumentRow>(Lake, LakeTables.Documents).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken))
            .ToDictionary(d => d.DocId);

    [Fact]
    public async Task Run_TwoSourcesWithDifferentFieldNames_MapsEachWithItsOwnMapping()
    {
        var run = await Ingest(WriteJson(Config()));

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal((3L, 3L, 0L), (run.Counts["read"], run.Counts["accepted"], run.Counts["quarantined"]));
        var docs = await Documents();
        var m1 = docs["m1"];
        Assert.Equal(new DateTime(2003, 7, 2, 2, 52, 37, DateTimeKind.Utc), m1.Timestamp);
        Assert.Equal("Budget\n\nNumbers attached.\n\nThanks", m1.Text); // subject, blank line, body
        Assert.Equal(("Budget", (string?)null), (m1.Title, m1.Category));
        Assert.Equal("No subject here", docs["m2"].Text); // an empty text field adds no blank line
        var n1 = docs["n1"];
        Assert.Equal(new DateTime(2002, 12, 31, 22, 30, 0, DateTimeKind.Utc), n1.Timestamp); // 23:30 in Paris, UTC+1 in winter
        Assert.Equal(("Closing the books; see you \"next\" year", "Year end", "memo"), (n1.Text, n1.Title, n1.Category));
        Assert.Equal("""{"author":"Ana"}""", n1.Metadata);
    }

    [Fact]
    public async Task Run_MetadataFields_RoundTripAsJson()
    {
        Assert.Equal(ExitCodes.Success, (await Ingest(WriteJson(Config()))).ExitCode);

        using var metadata = JsonDocument.Parse((await Documents())["m1"].Metadata!);
        Assert.Equal(["from", "tags", "cc"], metadata.RootElement.EnumerateObject().Select(p => p.Name)); // the mapping's order
        Assert.Equal("Zoë \"Z\" <z@example.org>", metadata.RootElement.GetProperty("from").GetString());
        Assert.Equal(["a", "b"], JsonSerializer.Deserialize<string[]>(metadata.RootElement.GetProperty("tags").GetString()!)!); // a nested value keeps its JSON text
        Assert.Equal(JsonValueKind.Null, metadata.RootElement.GetProperty("cc").ValueKind); // absent from the record
        Assert.Equal(new Dictionary<string, string?> { ["author"] = "Ana" }, MetadataJson.Parse((await Documents())["n1"].Metadata));
    }

    [Fact]
    public async Task Run_YamlConfig_GivesTheSameDocumentsAsJson()
    {
        var yaml = _dir.Combine("ingest.yaml");
        File.WriteAllText(yaml, $"""
            Ingest:
              Sources:
                - Location: '{_dir.Combine("mail.jsonl")}'
                  IdField: message_id
                  TimeField: date
                  TimeFormat: [rfc2822]
                  TextFields:
                    - subject
                    - body
                  TitleField: subject
                  CategoryField: ''
                  MetadataFields: [from, tags, cc]
                - Location: '{_dir.Combine("notes.csv")}'
                  Format: csv
                  CsvSeparator: ';'
                  IdField: key
                  TimeField: when
                  TimeFormat: ['dd/MM/yyyy HH:mm']
                  TimeZone: Europe/Paris
                  TextFields: [content]
                  TitleField: headline
                  CategoryField: kind
                  MetadataFields: [author]
            """);
        Assert.Equal(ExitCodes.Success, (await Ingest(WriteJson(Config()))).ExitCode);
        var fromJson = (await Documents()).Values.Select(d => (d.DocId, d.Timestamp, d.Title, d.Category, d.Text, d.Metadata)).OrderBy(d => d.DocId).ToList();

        var run = await Ingest(yaml);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        Assert.Equal(fromJson, (await Documents()).Values.Select(d => (d.DocId, d.Timestamp, d.Title, d.Category, d.Text, d.Metadata)).OrderBy(d => d.DocId));
    }

    [Fact]
    public async Task Run_OneSourceWithAWrongMapping_FailsTheGateNamingThatSource()
    {
        // Two of the three records are fine, so the run's overall share (1 of 3) is under the limit: the source's own is not.
        var run = await Ingest(WriteJson(Config(notesId: "identifier")));

        Assert.Equal(ExitCodes.QualityGate, run.ExitCode);
        Assert.Contains($"Ingest:Sources:1 ({_dir.Combine("notes.csv")}): 100.0% of the chunk's records were quarantined", run.Log);
        Assert.DoesNotContain("Ingest:Sources:0", run.Log);
    }

    [Fact]
    public async Task Run_FlagsAndConfiguredSources_EachKeepTheirMapping()
    {
        var run = await Ingest(WriteJson(Config()), "1961-01-01", ["--source", SampleFiles.SotuCsv, .. SampleFiles.SotuMapping, "--metadata-field", "president"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var docs = await Documents();
        Assert.Equal(6 + 3, docs.Count);
        Assert.Equal("""{"president":"Lyndon B. Johnson"}""", docs["sotu-1964-johnson"].Metadata);
        Assert.Equal("Republican", docs["sotu-1961-eisenhower"].Category);
        Assert.Equal("Budget", docs["m1"].Title);
    }

    [Fact]
    public async Task Run_InvalidSources_AreRefusedUpFrontNamingEach()
    {
        var config = WriteJson(new Dictionary<string, object>
        {
            ["Ingest"] = new Dictionary<string, object>
            {
                ["Sources"] = new object[]
                {
                    new Dictionary<string, object> { ["Location"] = _dir.Combine("mail.jsonl"), ["TimeZone"] = "Mars/Olympus", ["TextFeilds"] = new[] { "body" } },
                    new Dictionary<string, object> { ["IdField"] = "key", ["MetadataFields"] = new[] { "a", "A" } },
                },
            },
        });

        var run = await Ingest(config);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"Ingest:Sources:0 ({_dir.Combine("mail.jsonl")}): TimeZone Mars/Olympus is not a known time zone", run.Log);
        Assert.Contains($"Ingest:Sources:0 ({_dir.Combine("mail.jsonl")}): unknown setting TextFeilds", run.Log);
        Assert.Contains("Ingest:Sources:1 (): Location is required", run.Log);
        Assert.Contains("Ingest:Sources:1 (): MetadataFields names 'a' twice", run.Log);
        Assert.False(Directory.Exists(Lake));
    }

    [Fact]
    public async Task Run_NoSourceAtAll_IsAUsageError()
    {
        var run = await StageRun.RunAsync(new IngestStage(), "--start", "2003-01-01", "--end", "2003-01-02", "--lake", Lake);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("at least one --source file or folder, or an Ingest:Sources entry", run.Log);
    }

    public void Dispose() => _dir.Dispose();
}
