using Jobs.Contracts;
using Jobs.Tables;
using Jobs.Quality;
using Xunit;

namespace Jobs.Stages.Tests;

public sealed class ChunkAuditTests
{
    private static DocumentRow Doc(string id) => new() { DocId = id, Text = "text of " + id };

    private static readonly EmbeddingModel Model = EmbeddingModels.Default with { Id = "test-4d", Dimensions = 4 };

    private static ChunkRow Chunk(string id, string doc, string text = "some text") =>
        new() { ChunkId = id, DocId = doc, Text = text, ContentHash = ContentHash.Of(text) };

    private static EmbeddingRow Vector(string chunk, float first = 1f, int length = 4)
    {
        var v = new float[length];
        v[0] = first;
        return new EmbeddingRow { ChunkId = chunk, Embedding = v, Model = Model.Id };
    }

    private static Dictionary<string, CheckResult> Audit(Action<ChunkAudit> feed)
    {
        var audit = new ChunkAudit(Model);
        feed(audit);
        return audit.Results().ToDictionary(r => r.Name);
    }

    [Fact]
    public void Results_ConsistentChunk_AllPass()
    {
        var r = Audit(a =>
        {
            a.AddDocument(Doc("d1"));
            a.AddChunk(Chunk("c1", "d1"));
            a.AddChunk(Chunk("c2", "d1"));
            a.AddEmbedding(Vector("c1"));
            a.AddEmbedding(Vector("c2"));
        });
        Assert.All(r.Values, c => Assert.True(c.Passed, c.Name));
    }

    [Fact]
    public void Results_EachKindOfBreak_IsCaughtByItsCheck()
    {
        var r = Audit(a =>
        {
            a.AddDocument(Doc("d1"));
            a.AddDocument(Doc("lonely"));                             // no chunk
            a.AddChunk(Chunk("c1", "d1"));
            a.AddChunk(Chunk("c2", "d1"));                            // no embedding below
            a.AddChunk(new ChunkRow { ChunkId = "c3", DocId = "d1", Text = "edited", ContentHash = ContentHash.Of("original") });
            a.AddChunk(Chunk("c4", "ghost"));                         // document missing
            a.AddChunk(new ChunkRow { ChunkId = "c5", DocId = "d1", Text = "long", ContentHash = ContentHash.Of("long"), TokenCount = Model.MaxTokens - 1 }); // over the window with [CLS] and [SEP]
            a.AddEmbedding(Vector("c1", first: 2f));                  // not unit norm
            a.AddEmbedding(Vector("c3", length: 3));                  // wrong dimension
            a.AddEmbedding(Vector("c4"));
            a.AddEmbedding(Vector("c4"));                             // twice
            a.AddEmbedding(Vector("orphan"));                         // no chunk
        });
        Assert.Equal("lonely", r["documents_have_chunks"].Example);
        Assert.Equal("c2", r["chunks_have_one_embedding"].Example);
        Assert.Equal("c5", r["chunks_within_model_window"].Example);
        Assert.Equal("c3", r["chunk_hashes_match_text"].Example);
        Assert.Equal("ghost", r["chunks_have_documents"].Example);
        Assert.Equal(2, r["vectors_valid"].Failures);
        Assert.Equal(2, r["embeddings_match_chunks"].Failures);
        Assert.True(r["chunks_unique"].Passed);
    }
}
