using Jobs.Contracts;
using Jobs.Embeddings;

namespace Jobs.Stages.Tests;

/// <summary>Loads the real bundled model once for the tests that need it.</summary>
public sealed class ModelFixture : IDisposable
{
    public EmbeddingModelFiles Files { get; } = EmbeddingModelFiles.Locate(modelDir: null);
    public EmbeddingModel Model { get; } = EmbeddingModels.Default;
    public Microsoft.ML.Tokenizers.BertTokenizer Tokenizer { get; }
    public OnnxEmbeddingGenerator Generator { get; }

    public ModelFixture()
    {
        Tokenizer = WordPieceTokenizer.Create(Files);
        Generator = new OnnxEmbeddingGenerator(Files, Model, batchSize: 8);
    }

    public void Dispose() => Generator.Dispose();
}
