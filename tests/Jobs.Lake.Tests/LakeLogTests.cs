using Jobs.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Jobs.Lake.Tests;

public sealed class LakeLogTests : IDisposable
{
    private readonly TempDirectory _dir = new("log-events");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commits_Checkpoints_AndVacuum_AreLogged()
    {
        var events = new Events();
        var lake = new LocalLakeStorage(_dir.Path);
        var table = new DeltaTable<TestRow>(lake, TestRow.Spec, loggerFactory: events);
        for (var i = 0; i < 11; i++) await table.AppendAsync(TestRow.Make("a", i * 10, 2).ToAsyncEnumerable(), cancellationToken: Ct);
        await new DeltaTable<TestRow>(lake, TestRow.Spec, new ShiftedTime(TimeSpan.FromDays(8)), events).VacuumAsync(cancellationToken: Ct);

        var committed = events.Where(1001);
        Assert.Equal(11, committed.Count);
        Assert.All(committed, e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.Contains("Committed version 10 of " + lake.Describe("rows") + ": 1 files added, 0 removed, 2 rows, attempt 1", committed.Select(e => e.Message));
        Assert.Equal(LogLevel.Information, Assert.Single(events.Where(1006)).Level);
        Assert.Contains("VACUUM", Assert.Single(events.Where(1008)).Message);
    }

    private sealed class Events : ILoggerFactory, ILogger
    {
        private readonly List<(int Id, LogLevel Level, string Message)> _events = [];

        public List<(int Id, LogLevel Level, string Message)> Where(int id)
        {
            lock (_events) return _events.Where(e => e.Id == id).ToList();
        }

        public ILogger CreateLogger(string categoryName) => this;
        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_events) _events.Add((eventId.Id, logLevel, formatter(state, exception)));
        }

        public void Dispose() { }
    }

    public void Dispose() => _dir.Dispose();
}
