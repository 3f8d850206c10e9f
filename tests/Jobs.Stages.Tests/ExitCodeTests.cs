using System.Net.Sockets;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Store;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>Exit codes by cause, through the failure classifiers the libraries register (what a stage's services hold).</summary>
public sealed class ExitCodeTests
{
    private static readonly IFailureClassifier[] Classifiers = new ServiceCollection()
        .AddLake().AddTokenizer().AddStore(_ => "Host=127.0.0.1")
        .BuildServiceProvider().GetServices<IFailureClassifier>().ToArray();

    private static int Code(Exception e, bool cancelled = false) => JobRunner.ExitCodeOf(e, cancelled, Classifiers);

    private static PostgresException Postgres(string sqlState) => new("message", "FATAL", "FATAL", sqlState);

    public static TheoryData<string, Exception, int> Cases => new()
    {
        { "wrong password", Postgres(PostgresErrorCodes.InvalidPassword), ExitCodes.Usage },
        { "authorization", Postgres(PostgresErrorCodes.InvalidAuthorizationSpecification), ExitCodes.Usage },
        { "database does not exist", Postgres(PostgresErrorCodes.InvalidCatalogName), ExitCodes.Usage },
        { "no privilege", Postgres(PostgresErrorCodes.InsufficientPrivilege), ExitCodes.Usage },
        { "missing table or extension", Postgres(PostgresErrorCodes.UndefinedTable), ExitCodes.InputRefused },
        { "serialization failure", Postgres(PostgresErrorCodes.SerializationFailure), ExitCodes.Failed },
        { "server shutting down", Postgres(PostgresErrorCodes.AdminShutdown), ExitCodes.Failed },
        { "too many connections", Postgres(PostgresErrorCodes.TooManyConnections), ExitCodes.Failed },
        { "connection refused", new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)), ExitCodes.Failed },
        { "client-side setting refused", new NpgsqlException("No password has been provided"), ExitCodes.Usage },
        { "vector dimension of the store", new StoreSchemaException("vector(768)"), ExitCodes.InputRefused },
        { "unsupported Delta table", new DeltaUnsupportedException("x"), ExitCodes.InputRefused },
        { "malformed Delta log", new DeltaProtocolException("x"), ExitCodes.InputRefused },
        { "commit race lost", new DeltaConflictException("x"), ExitCodes.Failed },
        { "lake location unusable", new LakeLocationException("x"), ExitCodes.Usage },
        { "storage credentials refused", new Azure.RequestFailedException(403, "AuthorizationFailure"), ExitCodes.Usage },
        { "storage throttling", new Azure.RequestFailedException(503, "ServerBusy"), ExitCodes.Failed },
        { "model files missing", new ModelNotFoundException("x"), ExitCodes.Usage },
        { "input refused", new InputRefusedException("x"), ExitCodes.InputRefused },
        { "quality gate", new QualityGateException("x"), ExitCodes.QualityGate },
        { "configuration", new JobConfigurationException("x"), ExitCodes.Usage },
        { "file system", new IOException("x"), ExitCodes.Failed },
        { "timeout", new TimeoutException("x"), ExitCodes.Failed },
        { "permission denied", new UnauthorizedAccessException("x"), ExitCodes.Usage },
        { "a wrapped cause", new AggregateException(Postgres(PostgresErrorCodes.InvalidPassword)), ExitCodes.Usage },
        { "unknown: a bug, maybe transient", new InvalidOperationException("x"), ExitCodes.Failed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExitCodeOf_DecidesByCause(string because, Exception exception, int expected) =>
        Assert.True(Code(exception) == expected, $"{because}: expected {expected}, got {Code(exception)}");

    [Fact]
    public void ExitCodeOf_CancelledBySignal_Is143()
    {
        Assert.Equal(ExitCodes.Cancelled, Code(new OperationCanceledException(), cancelled: true));
        Assert.Equal(ExitCodes.Failed, Code(new OperationCanceledException(), cancelled: false));
    }
}
