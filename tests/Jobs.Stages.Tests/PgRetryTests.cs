using System.Net.Sockets;
using Jobs.Store;
using Npgsql;
using Xunit;

namespace Jobs.Stages.Tests;

public sealed class PgRetryTests
{
    private static PostgresException Postgres(string sqlState) => new("message", "ERROR", "ERROR", sqlState);

    private static readonly PgRetry Retry = new(new StoreOptions { MaxRetries = 3, RetryDelaySeconds = 0 });

    public static TheoryData<string, Exception> Transient => new()
    {
        { "serialization failure", Postgres(PostgresErrorCodes.SerializationFailure) },
        { "deadlock", Postgres(PostgresErrorCodes.DeadlockDetected) },
        { "server restarting", Postgres(PostgresErrorCodes.AdminShutdown) },
        { "connection lost", new NpgsqlException("Exception while reading from stream", new EndOfStreamException()) },
        { "connection refused", new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)) },
    };

    [Theory]
    [MemberData(nameof(Transient))]
    public async Task ExecuteAsync_TransientFailureTwice_RetriesAndSucceeds(string because, Exception failure)
    {
        var calls = 0;
        var result = await Retry.ExecuteAsync(_ => ++calls <= 2 ? throw failure : ValueTask.FromResult(calls), TestContext.Current.CancellationToken);
        Assert.True(result == 3, because);
    }

    public static TheoryData<string, Exception> Permanent => new()
    {
        { "duplicate key", Postgres(PostgresErrorCodes.UniqueViolation) },
        { "wrong dimension", Postgres(PostgresErrorCodes.DataException) },
        { "wrong password", Postgres(PostgresErrorCodes.InvalidPassword) },
        { "a bug", new InvalidOperationException("bug") },
    };

    [Theory]
    [MemberData(nameof(Permanent))]
    public async Task ExecuteAsync_PermanentFailure_FailsAtOnce(string because, Exception failure)
    {
        var calls = 0;
        var thrown = await Assert.ThrowsAnyAsync<Exception>(async () =>
            await Retry.ExecuteAsync<int>(_ => { calls++; throw failure; }, TestContext.Current.CancellationToken));
        Assert.Same(failure, thrown);
        Assert.True(calls == 1, because);
    }

    [Fact]
    public async Task ExecuteAsync_Cancelled_IsNotRetried()
    {
        var calls = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await Retry.ExecuteAsync<int>(_ => { calls++; throw new OperationCanceledException(); }, TestContext.Current.CancellationToken));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ExecuteAsync_StillTransientAfterEveryRetry_ThrowsTheLastFailure()
    {
        var calls = 0;
        var failure = Postgres(PostgresErrorCodes.DeadlockDetected);
        Assert.Same(failure, await Assert.ThrowsAnyAsync<PostgresException>(async () =>
            await Retry.ExecuteAsync<int>(_ => { calls++; throw failure; }, TestContext.Current.CancellationToken)));
        Assert.Equal(4, calls);
    }
}
