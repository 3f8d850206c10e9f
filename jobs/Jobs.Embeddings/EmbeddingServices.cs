using Jobs.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Jobs.Embeddings;

public static class EmbeddingServices
{
    /// <summary>
    /// The model's files and WordPiece tokenizer (for chunking: no weights are loaded). Needs the
    /// <see cref="EmbeddingModel"/> descriptor and <see cref="ModelOptions"/> in the services.
    /// </summary>
    public static IServiceCollection AddTokenizer(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => EmbeddingModelFiles.Locate(sp.GetRequiredService<IOptions<ModelOptions>>().Value.Dir));
        services.TryAddSingleton<BertTokenizer>(sp => WordPieceTokenizer.Create(sp.GetRequiredService<EmbeddingModelFiles>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, ModelFailureClassifier>());
        return services;
    }

    /// <summary>The embedding generator of the configured model: in-process ONNX Runtime.</summary>
    public static IServiceCollection AddEmbeddings(this IServiceCollection services)
    {
        services.AddTokenizer();
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => new OnnxEmbeddingGenerator(
            sp.GetRequiredService<EmbeddingModelFiles>(), sp.GetRequiredService<EmbeddingModel>(),
            logger: sp.GetRequiredService<ILogger<OnnxEmbeddingGenerator>>()));
        return services;
    }

    /// <summary>A missing or unloadable model is a deployment problem: a retry sees the same files.</summary>
    private sealed class ModelFailureClassifier : IFailureClassifier
    {
        public FailureKind? Classify(Exception exception) => exception is ModelNotFoundException or OnnxRuntimeException ? FailureKind.Configuration : null;
    }
}
