using System.Text.Json;
using System.Text.Json.Serialization;
using Jobs.Lake;
using Jobs.Testing;
using Xunit;

namespace Jobs.Lake.Tests;

/// <summary>
/// A row type that gains a nullable column keeps working on tables written before: older files read the column as
/// null, the next commit widens the table's schema with a metaData action, and any other change is still refused.
/// </summary>
public sealed class DeltaSchemaEvolutionTests : IDisposable
{
    private readonly TempDirectory _dir = new("lake");

    private static TableSpec<T> Spec<T>() where T : class, new() => new("rows", [new PartitionColumn("part", "string")],
        _ => new Dictionary<string, string?> { ["part"] = "a" }, (_, _) => { });

    [Fact]
    public async Task Read_TableWrittenBeforeAColumnWasAdded_ReadsItAsNull()
    {
        var ct = TestContext.Current.CancellationToken;
        await new DeltaTable<OldRow>(_dir.Path, Spec<OldRow>()).OverwriteAsync(new[] { new OldRow { Id = "1", Text = "old" } }.ToAsyncEnumerable(), PartitionPredicate.All, ct);

        var rows = await new DeltaTable<NewRow>(_dir.Path, Spec<NewRow>()).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);

        Assert.Equal(("1", "old", (string?)null), (rows.Single().Id, rows.Single().Text, rows.Single().Extra));
    }

    [Fact]
    public async Task Append_WithTheAddedColumn_WidensTheSchemaAndKeepsOlderFilesReadable()
    {
        var ct = TestContext.Current.CancellationToken;
        await new DeltaTable<OldRow>(_dir.Path, Spec<OldRow>()).OverwriteAsync(new[] { new OldRow { Id = "1", Text = "old" } }.ToAsyncEnumerable(), PartitionPredicate.All, ct);
        var table = new DeltaTable<NewRow>(_dir.Path, Spec<NewRow>());

        var commit = await table.AppendAsync(new[] { new NewRow { Id = "2", Text = "new", Extra = "{\"k\":1}" } }.ToAsyncEnumerable(), cancellationToken: ct);

        var rows = await table.ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        Assert.Equal([("1", (string?)null), ("2", "{\"k\":1}")], rows.Select(r => (r.Id, r.Extra)).OrderBy(r => r.Id));
        var log = await File.ReadAllLinesAsync(Path.Combine(_dir.Path, "rows", "_delta_log", $"{commit.Version:D20}.json"), ct);
        var metaData = log.Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.TryGetProperty("metaData", out _)).GetProperty("metaData");
        Assert.Contains("\"extra\"", metaData.GetProperty("schemaString").GetString(), StringComparison.Ordinal);
        var snapshot = await table.SnapshotAsync(cancellationToken: ct);
        Assert.NotNull(snapshot.Schema["extra"]);
        // The old row type now meets a table it does not fully know: refused, not silently narrowed.
        await Assert.ThrowsAsync<DeltaUnsupportedException>(async () =>
            await new DeltaTable<OldRow>(_dir.Path, Spec<OldRow>()).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct));
    }

    [Theory]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},{\"name\":\"x\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}", true)]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},{\"name\":\"x\",\"type\":\"string\",\"nullable\":false,\"metadata\":{}}]}", false)] // a required new column: old files have none
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}", false)] // retyped
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"y\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}", false)] // dropped
    public void Widens_OnlyAddedNullableColumns(string wider, bool widens)
    {
        const string table = "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}";
        Assert.Equal(widens, DeltaTableSchema.Widens(table, wider));
    }

    public sealed class OldRow
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("text")] public string Text { get; set; } = "";
    }

    public sealed class NewRow
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("text")] public string Text { get; set; } = "";
        [JsonPropertyName("extra")] public string? Extra { get; set; }
    }

    public void Dispose() => _dir.Dispose();
}
