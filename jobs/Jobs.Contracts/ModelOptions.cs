using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Jobs.Contracts;

/// <summary>Which embedding model a stage works for (configuration section <c>Model</c>, env <c>JOBS_MODEL__*</c>).</summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    [CliOption("--model"), Description("Embedding model id"), Required]
    public string Id { get; set; } = EmbeddingModels.Default.Id;

    [CliOption("--model-dir"), Description("Folder with model.onnx and vocab.txt (default: the model bundled with the job)")]
    public string? Dir { get; set; }

    [CliOption("--provider"), Description("Who computes the vectors: onnx (in-process), openai (an OpenAI-compatible /v1/embeddings), ollama (/api/embed) or tei (/embed)")]
    public string Provider { get; set; } = "onnx";

    [CliOption("--endpoint"), Description("Base URL of a remote provider (e.g. https://api.openai.com/v1, http://127.0.0.1:11434, http://tei:8080)")]
    public string? Endpoint { get; set; }

    [CliOption("--served-model"), Description("The model's name at the remote endpoint, when it differs from --model (e.g. an Ollama tag)")]
    public string? ServedModel { get; set; }

    [CliOption("--dimensions"), Description("Expected vector dimension; must equal the model descriptor's (sent to OpenAI-compatible endpoints as 'dimensions')")]
    public int? Dimensions { get; set; }

    [CliOption("--api-key-env"), Description("Name of the environment variable holding the remote provider's API key")]
    public string? ApiKeyEnv { get; set; }

    [CliOption("--api-key"), Description("The remote provider's API key (from a Secret; prefer --api-key-env)"), Secret]
    public string? ApiKey { get; set; }

    [CliOption("--threads"), Description("Intra-op threads of the in-process onnx provider (default: every core)"), Range(1, 1024, ErrorMessage = "must be within {1}..{2}")]
    public int? Threads { get; set; }
}
