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
}
