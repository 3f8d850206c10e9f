using System.Text.Json;
using DotNet.Testcontainers.Builders;
using Jobs.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Jobs.Images.Tests;

/// <summary>
/// The real stage images, one after another, exactly as the Airflow DAG launches them for one date chunk (arguments,
/// ConfigMap and Secret environment, shared data volume, read-only root filesystem, non-root user), against
/// PostgreSQL + pgvector on a container network; then the database is counted and a search container queries it.
/// </summary>
public sealed class ImagePipelineTests : IDisposable
{
    private const string PgAlias = "pg";
    private const string PgPassword = "jobs-images-test";
    private readonly TempDirectory _data = new("images-e2e");
    private readonly TempDirectory _xcom = new("images-e2e-xcom");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task StageImages_RunAsTheDagLaunchesThem_LoadTheSampleAndSearchFindsThePassage()
    {
        var ct = TestContext.Current.CancellationToken;
        await StageImages.AssertBuiltAsync(ct);
        var pods = await DagPods.RenderAsync("1961-01-01", "1966-01-01", chunkDays: 1826, runId: "images-e2e", ct, withTheme: true);
        Assert.Equal(["ingest", "chunk", "embed", "validate", "load", "validate_load", "theme"], pods.Select(p => p.Stage));
        Assert.All(pods, p => Assert.Equal(StageImages.Of(p.ImageStage), p.Image)); // the DAG pins the tag make images builds

        PrepareDataVolume(pods[0].DataMount);
        await using var network = new NetworkBuilder().WithLogger(NullLogger.Instance).Build();
        await network.CreateAsync(ct);
        await using var postgres = new PostgreSqlBuilder("pgvector/pgvector:pg17").WithNetwork(network).WithNetworkAliases(PgAlias)
            .WithDatabase("jobs").WithUsername("jobs").WithPassword(PgPassword).WithLogger(NullLogger.Instance).Build();
        await postgres.StartAsync(ct);
        // What the jobs-secrets Secret holds in a cluster: the in-network connection string.
        var secrets = new Dictionary<string, string> { ["jobs-secrets/JOBS_PG"] = $"Host={PgAlias};Port=5432;Database=jobs;Username=jobs;Password={PgPassword}" };

        foreach (var pod in pods)
        {
            var xcom = Directory.CreateDirectory(Path.Combine(_xcom.Path, pod.Stage)).FullName;
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(xcom, (UnixFileMode)0x1FF); // the operator's emptyDir, writable by the pod
            var run = await StageContainer.RunAsync(pod, secrets, _data.Path, network, ct, xcom);
            Assert.True(run.ExitCode == 0, $"{pod.Image} {string.Join(' ', pod.Arguments)} exited {run.ExitCode}:\n{run.Stderr}");
            Assert.Contains("\"Finished", run.Stderr, StringComparison.Ordinal); // JSON summary event on stderr
            if (pod.XcomMount is null) continue;
            // What the operator's sidecar reads and pushes as the task's XCom: the counts and the days changed elsewhere.
            using var result = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(xcom, "return.json"), ct));
            Assert.Equal((pod.Stage, 6L, 0), (result.RootElement.GetProperty("stage").GetString(),
                result.RootElement.GetProperty("counts").GetProperty("accepted").GetInt64(), result.RootElement.GetProperty("changed_days").GetArrayLength()));
        }

        await using (var db = NpgsqlDataSource.Create(postgres.GetConnectionString()))
        {
            Assert.Equal(6L, await ScalarAsync(db, "select count(*) from documents", ct));
            Assert.True(await ScalarAsync(db, "select count(*) from chunks", ct) > 100);
            Assert.Equal(0L, await ScalarAsync(db, "select count(*) from chunks where embedding is null", ct));
            // The jobs_themes pod loaded the window's themes and gave the served passages their theme.
            Assert.True(await ScalarAsync(db, "select count(*) from themes", ct) >= 2);
            Assert.True(await ScalarAsync(db, "select count(*) from chunks where theme_id is not null", ct) > 50);
        }

        var searchPod = pods[^1] with
        {
            Stage = "search",
            Image = StageImages.Of("search"),
            Arguments = ["--query", "declaring war on poverty", "--top-k", "3", "--format", "jsonl", "--log-format", "json"],
        };
        var search = await StageContainer.RunAsync(searchPod, secrets, _data.Path, network, ct);
        Assert.True(search.ExitCode == 0, $"search exited {search.ExitCode}:\n{search.Stderr}");
        var hits = search.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, hits.Count);
        Assert.Equal("sotu-1964-johnson", hits[0].GetProperty("doc_id").GetString());

        // jobs-serve as its Deployment runs it: non-root, read-only root filesystem, probes answering, the API serving.
        await using var serve = new ContainerBuilder(StageImages.Of("serve"))
            .WithNetwork(network)
            .WithEnvironment(new Dictionary<string, string>(pods[^1].Env)
            {
                ["JOBS_PG"] = secrets["jobs-secrets/JOBS_PG"], ["JOBS_SERVE__URLS"] = "http://0.0.0.0:8080",
            })
            .WithPortBinding(8080, true)
            .WithTmpfsMount("/tmp")
            .WithCreateParameterModifier(p =>
            {
                p.User = "1654";
                p.HostConfig!.ReadonlyRootfs = true;
            })
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPath("/readyz").ForPort(8080)))
            .WithLogger(NullLogger.Instance)
            .Build();
        await serve.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{serve.GetMappedPublicPort(8080)}") };
        var body = JsonDocument.Parse(await http.GetStringAsync("/search?q=declaring%20war%20on%20poverty&mode=hybrid&k=3", ct)).RootElement;
        Assert.Equal("sotu-1964-johnson", body.GetProperty("results")[0].GetProperty("docId").GetString());
        Assert.Contains("<title>Search the collection</title>", await http.GetStringAsync("/", ct), StringComparison.Ordinal);
    }

    /// <summary>The data volume as a fresh cluster would have it: the source file under incoming/, writable by the pods' user.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void PrepareDataVolume(string mountPath)
    {
        Assert.Equal("/data", mountPath);
        var incoming = Directory.CreateDirectory(_data.Combine("incoming")).FullName;
        File.Copy(Path.Combine(RepoPaths.Samples, "sotu", "sotu.csv"), Path.Combine(incoming, "sotu.csv"));
        // Kubernetes gives the pod's group the volume (fsGroup 1654); here the folder is simply open to all.
        const UnixFileMode open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_data.Path, open);
        File.SetUnixFileMode(incoming, open);
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        _data.Dispose();
        _xcom.Dispose();
    }
}
