using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jobs.Chunk;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// Documents of the largest size ingest lets through (--max-text-bytes, 1 MiB by default) go through chunk: real prose
/// and a megabyte-long base64 blob without a space (which the chunker must cut inside the "word"), every chunk
/// within the model's window, together covering the whole text in order.
/// </summary>
public sealed class ChunkLargeDocumentTests : IDisposable
{
    private const int MaxTextBytes = 1024 * 1024;
    private readonly TempDirectory _dir = new("chunk-large");
    private string Lake => _dir.Combine("lake");

    public void Dispose() => _dir.Dispose();

    /// <summary>SciFact abstracts, normalised, joined as paragraphs up to just under the limit.</summary>
    private static string Prose()
    {
        var text = new StringBuilder();
        var bytes = 0;
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.SharedTestData, "scifact", "corpus.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var paragraph = TextNormalizer.Normalize(doc.RootElement.GetProperty("text").GetString());
            var size = Encoding.UTF8.GetByteCount(paragraph) + 2;
            if (paragraph.Length == 0) continue;
            if (bytes + size > MaxTextBytes) break;
            text.Append(paragraph).Append("\n\n");
            bytes += size;
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>An attachment pasted inline: base64 with no line breaks, exactly 1 MiB.</summary>
    private static string Blob()
    {
        var bytes = new byte[MaxTextBytes / 4 * 3];
        var block = SHA256.HashData("seed"u8);
        for (var i = 0; i < bytes.Length; i += block.Length)
        {
            block = SHA256.HashData(block);
            block.AsSpan(0, Math.Min(block.Length, bytes.Length - i)).CopyTo(bytes.AsSpan(i));
        }
        return Convert.ToBase64String(bytes);
    }

    [Fact]
    public async Task Run_DocumentsOfTheMaximumSize_AreChunkedWithinTheWindowAndCoveredWhole()
    {
        var ct = TestContext.Current.CancellationToken;
        var texts = new Dictionary<string, string> { ["prose"] = Prose(), ["blob"] = Blob() };
        Assert.All(texts.Values, t => Assert.InRange(Encoding.UTF8.GetByteCount(t), MaxTextBytes - 4096, MaxTextBytes));
        var source = _dir.Combine("large.jsonl");
        await File.WriteAllLinesAsync(source, texts.Select(t => JsonSerializer.Serialize(new { id = t.Key, timestamp = "2024-01-02", text = t.Value })), ct);
        string[] chunk = ["--start", "2024-01-01", "--end", "2024-01-08", "--lake", Lake];

        var ingest = await StageRun.RunAsync(new IngestStage(), [.. chunk, "--source", source]);
        Assert.True(ingest.ExitCode == ExitCodes.Success, ingest.Log);
        Assert.Equal(2, ingest.Counts["accepted"]);
        var run = await StageRun.RunAsync(new ChunkStage(), chunk);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Log); // the stage's own window check measures every chunk's model input ids (ChunkTokenIdsTests: the embedder's own)
        var rows = await new DeltaTable<ChunkRow>(Lake, LakeTables.Chunks).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        var documents = await new DeltaTable<DocumentRow>(Lake, LakeTables.Documents).ReadAsync(PartitionPredicate.All, ct).ToListAsync(ct);
        Assert.Equal(texts, documents.ToDictionary(d => d.DocId, d => d.Text)); // ingest kept them whole
        foreach (var (id, text) in texts)
        {
            var chunks = rows.Where(r => r.DocId == id).OrderBy(r => r.Ordinal).ToList();
            Assert.True(chunks.Count > 100, $"{id}: only {chunks.Count} chunks");
            Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Ordinal));
            Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 256));
            Assert.All(chunks, c => Assert.Equal(text[c.CharStart..c.CharEnd], c.Text));
            Assert.Equal(0, chunks[0].CharStart);
            Assert.Equal(text.Length, chunks[^1].CharEnd);
            for (var i = 1; i < chunks.Count; i++)
            {
                Assert.True(chunks[i].CharStart > chunks[i - 1].CharStart, $"{id}: no progress at chunk {i}");
                // Overlapping, or apart by whitespace only (a chunk never starts or ends on a space).
                Assert.True(chunks[i].CharStart <= chunks[i - 1].CharEnd || string.IsNullOrWhiteSpace(text[chunks[i - 1].CharEnd..chunks[i].CharStart]), $"{id}: text lost before chunk {i}");
            }
        }
        Assert.Equal(run.Counts["chunks"], rows.Count);
    }
}
