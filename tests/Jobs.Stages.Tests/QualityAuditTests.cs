using Jobs.Contracts;
using Jobs.Quality;
using Jobs.Tables;
using Xunit;

namespace Jobs.Stages.Tests;

public sealed class QualityAuditTests
{
    private static readonly EmbeddingModel Model = EmbeddingModels.Default with { Id = "test-4d", Dimensions = 4, MaxTokens = 64 };
    private static readonly QualityOptions Options = new();
    private static readonly DateChunk Chunk = new(new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 1));

    private static DocumentRow Doc(string id, string text = "text", int day = 31) =>
        new() { DocId = id, Text = text, ContentHash = ContentHash.Of(text), Day = new DateOnly(2024, 1, day) };

    private static ChunkRow Chunk1(string id, string doc, string text = "some text", int tokens = 10) =>
        new() { ChunkId = id, DocId = doc, Text = text, ContentHash = ContentHash.Of(text), TokenCount = tokens };

    private static EmbeddingRow Vector(string chunk, float first = 1f, int length = 4, string text = "some text")
    {
        var v = new float[length];
        v[0] = first;
        return new EmbeddingRow { ChunkId = chunk, Embedding = v, Model = Model.Id, ContentHash = ContentHash.Of(text) };
    }

    private static Dictionary<string, CheckResult> ByName(IEnumerable<CheckResult> results) => results.ToDictionary(r => r.Name);

    [Fact]
    public void ChunkAudit_EachKindOfBreak_IsCaughtByItsCheck()
    {
        var audit = new ChunkAudit(Model, Options);
        audit.AddDocument(Doc("d1"));
        audit.AddDocument(Doc("lonely"));                                            // no chunk
        audit.AddChunk(Chunk1("c1", "d1"));
        audit.AddChunk(Chunk1("c1", "d1"));                                          // duplicate id
        audit.AddChunk(new ChunkRow { ChunkId = "c3", DocId = "d1", Text = "edited", ContentHash = ContentHash.Of("original") });
        audit.AddChunk(Chunk1("c4", "ghost"));                                       // document missing
        audit.AddChunk(Chunk1("c5", "d1", tokens: 63));                              // over the model's window with [CLS] and [SEP]
        var r = ByName(audit.Results());
        Assert.Equal(["lonely"], r["documents_have_chunks"].Samples);
        Assert.Equal(["ghost"], r["chunks_have_documents"].Samples);
        Assert.Equal(["c1"], r["chunk_ids_unique"].Samples);
        Assert.Equal(["c3"], r["chunk_hashes_match_text"].Samples);
        Assert.Equal((65.0, 64.0, false), (r["chunk_token_limit"].Observed, r["chunk_token_limit"].Threshold, r["chunk_token_limit"].Passed));
        Assert.True(r["chunks_have_text"].Passed);
        Assert.All(r.Values, c => Assert.Equal(Severity.Error, c.Severity));
    }

    [Fact]
    public void EmbeddingAudit_EachKindOfBreak_IsCaughtByItsCheck()
    {
        var audit = new EmbeddingAudit(Model, Options);
        foreach (var id in new[] { "c1", "c2", "c3", "c4", "c5", "c6", "dead" }) audit.AddChunk(Chunk1(id, "d1"));
        audit.AddDeadLetter("dead");
        audit.AddEmbedding(Vector("c1", first: 2f));                                 // not unit norm
        audit.AddEmbedding(Vector("c3", length: 3));                                 // wrong dimension
        audit.AddEmbedding(Vector("c4", first: float.NaN));                          // not finite
        audit.AddEmbedding(Vector("c5"));
        audit.AddEmbedding(Vector("c5"));                                            // twice
        audit.AddEmbedding(Vector("c6", text: "other text"));                        // made for other text
        audit.AddEmbedding(Vector("orphan"));                                        // no chunk
        audit.AddEmbedding(Vector("c2"));                                 // c2 is fine
        audit.AddEmbedding(new EmbeddingRow { ChunkId = "c2", Model = "other-model", Embedding = [1, 0, 0, 0] });
        var r = ByName(audit.Results());
        Assert.True(r["chunks_have_embeddings"].Passed);                             // "dead" is a dead letter, not missing
        Assert.Equal((1.0 / 7, false), (r["dead_letter_share"].Observed, r["dead_letter_share"].Passed));
        Assert.Equal(["c5", "orphan"], r["embeddings_have_chunks"].Samples);
        Assert.Equal(["c2"], r["embeddings_of_served_model"].Samples);                // side by side: reported, not blocking
        Assert.Equal(Severity.Warning, r["embeddings_of_served_model"].Severity);
        Assert.Equal(["c6"], r["embedding_hashes_match_chunks"].Samples);
        Assert.Equal(["c3"], r["embedding_dimension"].Samples);
        Assert.Equal(["c4"], r["embedding_values_finite"].Samples);
        Assert.Equal(["c1"], r["embedding_unit_norm"].Samples);
        Assert.Equal(1.0, r["embedding_unit_norm"].Observed, 6);
        Assert.False(r["near_duplicate_share"].Passed);                              // c2, c5, c6, orphan are the same vector
        Assert.Equal(Severity.Warning, r["near_duplicate_share"].Severity);
    }

    [Fact]
    public void EmbeddingAudit_RecordedDimension_MustBeTheServedModelsAndTheVectorsLength()
    {
        var audit = new EmbeddingAudit(Model, Options);
        foreach (var id in new[] { "recorded", "legacy", "short", "other" }) audit.AddChunk(Chunk1(id, "d1"));
        audit.AddEmbedding(WithDimension(Vector("recorded"), Model.Dimensions));              // fine
        audit.AddEmbedding(Vector("legacy"));                                                // written before the column: null, length checked
        audit.AddEmbedding(WithDimension(Vector("short", length: 3), Model.Dimensions));      // the vector is shorter than its row says
        audit.AddEmbedding(WithDimension(Vector("other"), 8));                               // the row says another dimension
        var r = ByName(audit.Results());
        Assert.Equal(["short", "other"], r["embedding_dimension"].Samples);
        Assert.Equal((false, 2L, 4L), (r["embedding_dimension"].Passed, r["embedding_dimension"].Failures, r["embedding_dimension"].Checked));
    }

    private static EmbeddingRow WithDimension(EmbeddingRow row, int dimension)
    {
        row.Dimension = dimension;
        return row;
    }

    [Fact]
    public void IngestAudit_DuplicatesEmptyTextQuarantineAndStaleness_AreReported()
    {
        var audit = new IngestAudit(Options, Chunk);
        audit.AddDocument(Doc("a", day: 2));
        audit.AddDocument(Doc("a", day: 3));
        audit.AddDocument(Doc("blank", text: " ", day: 4));
        audit.AddQuarantined(new QuarantineRow { RecordRef = "f.jsonl:9" });
        var r = ByName(audit.Results());
        Assert.Equal(["a"], r["document_ids_unique"].Samples);
        Assert.Equal(["blank"], r["documents_have_text"].Samples);
        Assert.Equal((0.25, false, Severity.Warning), (r["quarantine_share"].Observed, r["quarantine_share"].Passed, r["quarantine_share"].Severity));
        Assert.Equal((27.0, true), (r["freshness_days"].Observed, r["freshness_days"].Passed)); // Jan 4 → Jan 31
        Assert.True(r["documents_present"].Passed);
    }
}
