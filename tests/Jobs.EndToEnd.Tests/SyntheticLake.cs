using Jobs.Contracts;
using Jobs.Lake;
using Jobs.Store;
using Jobs.Tables;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// A consistent lake for one date chunk, written as real Delta tables: documents (two a day), two chunks each with real
/// content hashes, and a seeded random unit vector of the served model per chunk. Tests break it on purpose.
/// </summary>
internal sealed class SyntheticLake
{
    public static readonly EmbeddingModel Model = EmbeddingModels.Default;

    public SyntheticLake(string path, DateChunk chunk, int documentsPerDay = 2, int seed = 7)
    {
        Path = path;
        Chunk = chunk;
        var random = new Random(seed);
        for (var day = chunk.Start; day < chunk.End; day = day.AddDays(1))
            for (var n = 0; n < documentsPerDay; n++)
            {
                var docId = $"doc-{day:yyyyMMdd}-{n}";
                var text = $"Document {docId} reports on topic {random.Next(1000)}. It has two passages.";
                Documents.Add(new DocumentRow
                {
                    DocId = docId, Day = day, Timestamp = day.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc), Title = "Title " + docId, Text = text,
                    Category = n % 2 == 0 ? "even" : "odd", Source = "synthetic.jsonl", ContentHash = ContentHash.Of(text), RunId = "synthetic",
                });
                for (var ordinal = 0; ordinal < 2; ordinal++)
                {
                    var passage = $"Passage {ordinal} of {docId}: {random.Next(1_000_000)} words about something.";
                    var hash = ContentHash.Of(passage);
                    var chunkId = ContentHash.Of(docId, day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture), hash)[..32];
                    Chunks.Add(new ChunkRow
                    {
                        ChunkId = chunkId, DocId = docId, Day = day, Ordinal = ordinal, Text = passage, TokenCount = 20, CharStart = 0, CharEnd = passage.Length,
                        ContentHash = hash, Timestamp = DateTime.UnixEpoch, RunId = "synthetic",
                    });
                    Embeddings.Add(new EmbeddingRow
                    {
                        ChunkId = chunkId, DocId = docId, Day = day, ContentHash = hash, Model = Model.Id, Embedding = UnitVector(random, Model.Dimensions), RunId = "synthetic",
                    });
                }
            }
    }

    public string Path { get; }
    public DateChunk Chunk { get; }
    public List<DocumentRow> Documents { get; } = [];
    public List<ChunkRow> Chunks { get; } = [];
    public List<EmbeddingRow> Embeddings { get; } = [];
    public LakeStore Lake => LakeServices.Open(Path);

    public string[] Args(params string[] extra) =>
        ["--start", DayPartition.Format(Chunk.Start)!, "--end", DayPartition.Format(Chunk.End)!, "--lake", Path, .. extra];

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        var lake = Lake;
        await lake.ReplaceAsync(LakeTables.Documents, Chunk, Documents.ToAsyncEnumerable(), cancellationToken);
        await lake.ReplaceAsync(LakeTables.Chunks, Chunk, Chunks.ToAsyncEnumerable(), cancellationToken);
        await lake.ReplaceAsync(LakeTables.Embeddings, Chunk, Embeddings.ToAsyncEnumerable(), cancellationToken);
    }

    public async Task<List<DqResultRow>> ResultsAsync(string runId, CancellationToken cancellationToken) =>
        await Lake.ReadAllAsync(LakeTables.DqResults, cancellationToken).Where(r => r.RunId == runId).ToListAsync(cancellationToken);

    /// <summary>The lake's rows as the loader takes them (what LoadWork builds), for tests of the loader alone.</summary>
    public IAsyncEnumerable<StoredDocument> StoredDocuments() => Documents.Select(d =>
        new StoredDocument(d.DocId, d.Day, d.Timestamp, d.Title, d.Category, d.Source, d.Text) { ContentHash = d.ContentHash }).ToAsyncEnumerable();

    public IAsyncEnumerable<StoredChunk> StoredChunks() => Chunks.Join(Embeddings, c => c.ChunkId, e => e.ChunkId, (c, e) =>
        new StoredChunk(c.ChunkId, c.DocId, c.Day, c.Ordinal, c.Text, c.TokenCount, e.Model, e.Embedding)
        {
            Category = Documents.First(d => d.DocId == c.DocId).Category, ContentHash = c.ContentHash,
        }).ToAsyncEnumerable();

    public static float[] UnitVector(Random random, int dimensions)
    {
        var v = new float[dimensions];
        double sum = 0;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(random.NextDouble() * 2 - 1);
            sum += v[i] * v[i];
        }
        var norm = (float)Math.Sqrt(sum);
        for (var i = 0; i < v.Length; i++) v[i] /= norm;
        return v;
    }
}
