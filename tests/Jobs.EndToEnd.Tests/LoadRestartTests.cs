using System.Net;
using System.Net.Sockets;
using Jobs.Contracts;
using Jobs.LocalRun;
using Jobs.Store;
using Jobs.Testing;
using Testcontainers.PostgreSql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// PostgreSQL restarted while a load is halfway through its COPY. Without retries the load fails with a retryable
/// error and the store still holds the previous state; with the Polly pipeline the load retries and completes. Either
/// way nothing is half-applied. The container has a fixed host port so that it comes back where the loader looks.
/// </summary>
public sealed class LoadRestartTests : IAsyncLifetime, IDisposable
{
    private static readonly DateChunk Week = new(new DateOnly(2024, 3, 4), new DateOnly(2024, 3, 11));
    private readonly TempDirectory _lake = new("restart-lake");
    private readonly PostgreSqlContainer _container = LocalPostgres.Create(hostPort: FreePort());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _container.StartAsync();

    public async ValueTask DisposeAsync() => await _container.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static RowSetDigest Digest(SyntheticLake lake) => lake.Chunks.Aggregate(default(RowSetDigest), (d, c) => d.Add(c.ChunkId, c.ContentHash));

    private async Task RestartAsync()
    {
        await _container.StopAsync(Ct);
        await _container.StartAsync(Ct);
    }

    [Fact]
    public async Task Load_PostgresRestartedMidCopy_FailsRetryablyWithoutRetriesAndCompletesWithThem()
    {
        await using var db = PgDataSource.Create(_container.GetConnectionString());
        await new PgSchema(db, SyntheticLake.Model).EnsureAsync(Ct);
        var loader = new DateRangeLoader(db);
        var audit = new StoreAudit(db);
        var v1 = new SyntheticLake(_lake.Path, Week, seed: 1);
        var v2 = new SyntheticLake(_lake.Path, Week, seed: 2);
        await loader.ReplaceAsync(Week.Start, Week.End, v1.StoredDocuments(), v1.StoredChunks(), Ct);

        // No retries: the restart surfaces as a transient failure (exit code 1), and v1 is what the store holds.
        var noRetry = new PgRetry(new StoreOptions { MaxRetries = 0 });
        var midway = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var load = noRetry.ExecuteAsync(async ct => await loader.ReplaceAsync(Week.Start, Week.End, v2.StoredDocuments(),
            StoreLoadTests.Paused(v2.StoredChunks(), 10, midway, release), ct), Ct).AsTask();
        await midway.Task.WaitAsync(Ct);
        await RestartAsync();
        release.SetResult();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => load);
        Assert.True(PgTransience.IsTransient(failure), failure.ToString());
        Assert.Equal(Digest(v1), await Eventually(() => audit.DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct)));

        // With retries: the first attempt dies in the restart, a later one loads v2 whole.
        var retry = new PgRetry(new StoreOptions { MaxRetries = 5, RetryDelaySeconds = 0.2 });
        var attempts = 0;
        midway = new TaskCompletionSource();
        release = new TaskCompletionSource();
        load = retry.ExecuteAsync(async ct =>
        {
            var chunks = Interlocked.Increment(ref attempts) == 1 ? StoreLoadTests.Paused(v2.StoredChunks(), 10, midway, release) : v2.StoredChunks();
            return await loader.ReplaceAsync(Week.Start, Week.End, v2.StoredDocuments(), chunks, ct);
        }, Ct).AsTask();
        await midway.Task.WaitAsync(Ct);
        await RestartAsync();
        release.SetResult();
        var result = await load;
        Assert.True(attempts >= 2, $"{attempts} attempt(s)");
        Assert.Equal((28L, 28L), (result.Chunks.Inserted, result.Chunks.Deleted));
        Assert.Equal(Digest(v2), await audit.DigestAsync(StoreAudit.Table.Chunks, Week.Start, Week.End, Ct));
    }

    /// <summary>The pool's connections died with the server: the first read after a restart may need a fresh one.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T>> read)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (attempt < 5 && PgTransience.IsTransient(e))
            {
                // a broken pooled connection is discarded; the next attempt opens a new one
            }
        }
    }

    public void Dispose() => _lake.Dispose();
}
