using System.Runtime.CompilerServices;
using System.Text.Json;
using Jobs.Tables;

namespace Jobs.Ingest;

/// <summary>
/// The run's quarantine rows, kept in a temporary JSON-lines file rather than in memory: a wrong mapping that refuses
/// every record of a 2 GB file needs no more memory, and the rows can be read again when a read-then-write commit of
/// the quarantine is retried (<see cref="Duplicates.OwnQuarantine"/>). Deleted on dispose.
/// </summary>
public sealed class QuarantineSpool : IDisposable
{
    private static readonly JsonSerializerOptions Json = new();
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"jobs-quarantine-{Guid.NewGuid():N}.jsonl");
    private readonly StreamWriter _writer;

    public QuarantineSpool() => _writer = new StreamWriter(new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite, 1 << 16));

    public long Count { get; private set; }

    public void Add(QuarantineRow row)
    {
        _writer.WriteLine(JsonSerializer.Serialize(new Spooled(row.Day, row), Json));
        Count++;
    }

    public void AddRange(IEnumerable<QuarantineRow> rows)
    {
        foreach (var row in rows) Add(row);
    }

    /// <summary>Every row added so far, in order; may be called again.</summary>
    public async IAsyncEnumerable<QuarantineRow> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var spooled = JsonSerializer.Deserialize<Spooled>(line, Json) ?? throw new InvalidDataException($"unreadable line in the quarantine spool {_path}");
            spooled.Row.Day = spooled.Day;
            yield return spooled.Row;
        }
    }

    public void Dispose()
    {
        _writer.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // a temporary file: the pod's disk goes with it
        }
    }

    private sealed record Spooled(DateOnly? Day, QuarantineRow Row);
}
