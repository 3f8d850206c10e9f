using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.LocalRun;

namespace Jobs.Serve.Bench;

/// <summary>
/// Load test of <c>GET /search</c>: loads the bundled sample through the pipeline (kept between runs: container
/// jobs-bench-pg, lake .lake/bench-sotu), starts jobs-serve as a separate process on loopback, then drives it from
/// this process with N concurrent clients for a fixed time per level. Each level also measures <c>/healthz</c> (the
/// HTTP stack alone) as the baseline, and prints search / baseline ratios.
/// </summary>
public static class ServeLoadTest
{
    private static readonly string[] Queries =
    [
        "declaring a war on poverty", "landing a man on the moon", "reducing the federal budget deficit", "the cold war",
        "protecting the environment and clean air", "health care for older Americans", "inflation and unemployment",
        "civil rights and voting", "energy independence and oil imports", "education and schools",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        int[] levels = args.Length > 1 ? [.. args[1].Split(',').Select(int.Parse)] : [1, 4, 16];

        var postgres = LocalPostgres.Create(name: "jobs-bench-pg");
        await postgres.StartAsync();
        var pg = postgres.GetConnectionString();
        var lake = Path.GetFullPath(".lake/bench-sotu");
        var chunks = DateChunkPlanner.Split(new DateOnly(1961, 1, 1), new DateOnly(2001, 1, 1), 3653);
        var quiet = new JobRunnerSettings { LogOutput = TextWriter.Null, JsonLogs = true };
        string[] source = ["--source", "samples/sotu/sotu.jsonl", "--time-field", "date", "--category-field", "party"];
        foreach (var step in PipelinePlan.For(chunks, lake, pg, source))
            if (await JobRunner.RunAsync(step.Stage, step.Args, quiet) is var code and not 0)
                throw new InvalidOperationException($"{step.Stage.Name} exited {code}");

        var port = FreePort();
        var serveDll = Path.Combine(AppContext.BaseDirectory, "jobs-serve.dll");
        using var server = Process.Start(new ProcessStartInfo("dotnet", [serveDll, $"--Serve:Urls=http://127.0.0.1:{port}"])
        {
            Environment = { ["JOBS_PG"] = pg },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("cannot start jobs-serve");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitReadyAsync(http);
            // Warm-up: the model loads on the first query, and every query embedding lands in the server's cache.
            foreach (var q in Queries) (await http.GetAsync(SearchUrl(q, "hybrid"))).EnsureSuccessStatusCode();

            Console.WriteLine($"jobs-serve load test: {Environment.ProcessorCount} cores, {seconds} s per level, {Queries.Length} distinct queries (embeddings cached after warm-up)");
            Console.WriteLine($"{"endpoint",-18} {"clients",7} {"req/s",9} {"p50 ms",8} {"p99 ms",8} {"req/s vs /healthz",18} {"p50 vs /healthz",16}");
            foreach (var clients in levels)
            {
                var baseline = await DriveAsync(http, clients, seconds, _ => "/healthz");
                Print("/healthz", clients, baseline, baseline);
                foreach (var mode in new[] { "vector", "fulltext", "hybrid" })
                    Print($"/search {mode}", clients, await DriveAsync(http, clients, seconds, i => SearchUrl(Queries[i % Queries.Length], mode)), baseline);
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        return 0;
    }

    private static string SearchUrl(string query, string mode) => $"/search?q={Uri.EscapeDataString(query)}&mode={mode}&k=10";

    private sealed record Level(double RequestsPerSecond, double P50, double P99, int Errors);

    private static void Print(string name, int clients, Level level, Level baseline) =>
        Console.WriteLine($"{name,-18} {clients,7} {level.RequestsPerSecond,9:F0} {level.P50,8:F1} {level.P99,8:F1} " +
                          $"{level.RequestsPerSecond / baseline.RequestsPerSecond,18:F3} {level.P50 / baseline.P50,16:F1}" +
                          (level.Errors > 0 ? $"  ({level.Errors} errors)" : ""));

    private static async Task<Level> DriveAsync(HttpClient http, int clients, double seconds, Func<int, string> url)
    {
        var latencies = new List<double>[clients];
        var errors = 0;
        var deadline = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = latencies[c] = [];
            for (var i = c; deadline.Elapsed.TotalSeconds < seconds; i += clients)
            {
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(url(i));
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(watch.Elapsed.TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref errors);
            }
        }).ToList();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).ToList();
        return new Level(all.Count / deadline.Elapsed.TotalSeconds, Percentile.NearestRank(all, 50), Percentile.NearestRank(all, 99), errors);
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("jobs-serve did not become ready in 30 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
