using System.CommandLine;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Search;
using Jobs.Store;
using Jobs.Tables;

namespace Jobs.LocalRun;

/// <summary>
/// <c>make run</c>: starts PostgreSQL + pgvector through Testcontainers, runs the five stages over the bundled sample
/// date chunk by date chunk (as the DAG would), then prints row counts and the top passages for a few queries.
/// </summary>
public static class LocalRunCommand
{
    private static readonly string[] DefaultQueries =
    [
        "landing a man on the moon and exploring space",
        "declaring a war on poverty",
        "reducing the federal budget deficit",
        "the end of the cold war and the fall of the Berlin wall",
        "protecting the environment and clean air",
    ];

    /// <summary>A demo lake in object storage needs its container; production containers are provisioned outside the jobs.</summary>
    private static async Task EnsureContainerAsync(string location, TextWriter output)
    {
        var connection = Environment.GetEnvironmentVariable(Jobs.Lake.LakeStorage.ConnectionStringVariable)
            ?? throw new InvalidOperationException($"an az:// lake needs {Jobs.Lake.LakeStorage.ConnectionStringVariable} (make run starts a local Azurite)");
        var name = location["az://".Length..].Split('/')[0];
        var container = new Azure.Storage.Blobs.BlobServiceClient(connection).GetBlobContainerClient(name);
        if ((await container.CreateIfNotExistsAsync()) is not null) output.WriteLine($"Created container {name}");
    }

    /// <summary><c>make serve</c>: jobs-serve over the store <c>make run</c> loaded, on loopback.</summary>
    private static async Task<int> ServeAsync()
    {
        var postgres = LocalPostgres.Create(name: "jobs-local-pg");
        await postgres.StartAsync();
        const string url = "http://127.0.0.1:8080";
        var app = Jobs.Serve.ServeApp.Build([$"--Pg={postgres.GetConnectionString()}", $"--Serve:Urls={url}"]);
        await app.StartAsync();
        Console.Out.WriteLine($"jobs-serve on {url}/ (API: {url}/search?q=war+on+poverty, OpenAPI: {url}/openapi/v1.json); Ctrl+C stops it");
        await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(app);
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var source = new Option<string>("--source") { DefaultValueFactory = _ => "samples/sotu/sotu.jsonl" };
        var lake = new Option<string>("--lake") { DefaultValueFactory = _ => ".lake/sotu" };
        var start = new Option<string>("--start") { DefaultValueFactory = _ => "1961-01-01" };
        var end = new Option<string>("--end") { DefaultValueFactory = _ => "2001-01-01" };
        var chunkDays = new Option<int>("--chunk-days") { DefaultValueFactory = _ => 3653 };
        var queries = new Option<string[]>("--query") { Description = "Replace the demo queries" };
        var serve = new Option<bool>("--serve") { Description = "Serve the local store (after make run) on http://127.0.0.1:8080 instead of running the pipeline" };
        var root = new RootCommand("Run the whole pipeline locally on the bundled sample") { source, lake, start, end, chunkDays, queries, serve };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 || parse.Action is not null) return await parse.InvokeAsync();

        if (parse.GetValue(serve)) return await ServeAsync();

        var chunks = DateChunkPlanner.Split(DateChunk.ParseDay(parse.GetValue(start)!), DateChunk.ParseDay(parse.GetValue(end)!), parse.GetValue(chunkDays));
        var location = parse.GetValue(lake)!;
        var azure = location.StartsWith("az://", StringComparison.OrdinalIgnoreCase);
        var lakePath = azure ? location : Path.GetFullPath(location);
        var output = Console.Out;
        if (azure) await EnsureContainerAsync(location, output);

        // Not disposed: the reused container keeps running so the next run reuses the same database.
        var postgres = LocalPostgres.Create(name: "jobs-local-pg");
        await postgres.StartAsync();
        var pg = postgres.GetConnectionString();
        output.WriteLine($"PostgreSQL + pgvector ready on 127.0.0.1:{postgres.GetMappedPublicPort(5432)} (container jobs-local-pg, kept for the next run)");
        output.WriteLine($"Running ingest → chunk → embed → validate → load over {chunks.Count} date chunks into {lakePath}");

        string[] sourceArgs = ["--source", parse.GetValue(source)!, "--time-field", "date", "--category-field", "party"];
        foreach (var step in PipelinePlan.For(chunks, lakePath, pg, sourceArgs))
        {
            var code = await JobRunner.RunAsync(step.Stage, step.Args);
            if (code != ExitCodes.Success)
            {
                output.WriteLine($"{step.Stage.Name} {string.Join(' ', step.Args.Take(4))} failed with exit code {code}");
                return code;
            }
        }

        var lakeCounts = await LakeCounts.ReadAsync(lakePath);
        await using (var dataSource = PgDataSource.Create(pg))
        {
            var served = await new VectorSearch(dataSource).CountAsync();
            output.WriteLine();
            output.WriteLine($"Delta tables: documents {lakeCounts.Documents}, quarantine {lakeCounts.Quarantine}, chunks {lakeCounts.Chunks}, embeddings {lakeCounts.Embeddings}");
            output.WriteLine($"PostgreSQL:   documents {served.Documents}, chunks {served.Chunks}");
            output.WriteLine();
        }
        var questions = parse.GetValue(queries) is { Length: > 0 } q ? q : DefaultQueries;
        var searched = await JobRunner.RunAsync(new SearchStage(), ["--lake", lakePath, "--pg", pg, "--top-k", "3", .. questions.SelectMany(x => new[] { "--query", x })]);
        if (searched != ExitCodes.Success) return searched;

        // The themes of the whole sample: one window over every date chunk.
        var window = new DateChunk(chunks[0].Start, chunks[^1].End);
        var report = Path.GetFullPath(Path.Combine(".artifacts", "themes.html"));
        string[] themeArgs = ["--start", DayPartition.Format(window.Start)!, "--end", DayPartition.Format(window.End)!, "--lake", lakePath, "--pg", pg, "--report", report];
        var themed = await JobRunner.RunAsync(new Jobs.Theme.ThemeStage(), themeArgs);
        if (themed != ExitCodes.Success) return themed;
        var themes = new List<ThemeRow>();
        await foreach (var t in LakeServices.Open(lakePath).ReadAllAsync(LakeTables.Themes, CancellationToken.None))
            if (t.Day == window.Start && t.Status == "active") themes.Add(t);
        output.WriteLine($"Themes of {window} ({themes.Count}, by size):");
        foreach (var t in themes.OrderByDescending(t => t.Size))
            output.WriteLine($"  {t.ThemeId}  {t.Size,5} passages ({t.Share:P0})  {t.Keywords}");
        output.WriteLine($"Theme report (keywords, passages, sizes over time): {new Uri(report).AbsoluteUri}");
        return ExitCodes.Success;
    }
}
