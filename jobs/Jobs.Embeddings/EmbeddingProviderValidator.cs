using Jobs.Contracts;
using Microsoft.Extensions.Options;

namespace Jobs.Embeddings;

/// <summary>
/// The provider settings, checked with the others before any work: a known provider; a remote one needs an absolute
/// http(s) <c>--endpoint</c>; <c>--dimensions</c> must equal the model descriptor's; <c>--api-key-env</c> must name a
/// variable that is set.
/// </summary>
internal sealed class EmbeddingProviderValidator(EmbeddingSecrets secrets) : IValidateOptions<ModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        var problems = new List<string>();
        if (!EmbeddingProviders.Known.Contains(options.Provider, StringComparer.OrdinalIgnoreCase))
            problems.Add($"--provider '{options.Provider}' is not one of {string.Join(", ", EmbeddingProviders.Known)}");
        else if (EmbeddingProviders.IsRemote(options.Provider))
        {
            if (string.IsNullOrWhiteSpace(options.Endpoint))
                problems.Add($"--provider {options.Provider} needs --endpoint (JOBS_MODEL__ENDPOINT)");
            else if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                problems.Add($"--endpoint '{options.Endpoint}' is not an absolute http(s) URL");
        }
        else if (!string.IsNullOrWhiteSpace(options.Endpoint))
            problems.Add("--endpoint is for a remote provider; set --provider openai, ollama or tei");
        if (options.Dimensions is { } dimensions && EmbeddingModels.Find(options.Id) is { } model && dimensions != model.Dimensions)
            problems.Add($"--dimensions {dimensions} does not match model {model.Id}, which has {model.Dimensions} (its descriptor in EmbeddingModels)");
        if (options.ApiKeyEnv is { Length: > 0 } variable && secrets.Variable(variable) is null)
            problems.Add($"--api-key-env {variable}: that environment variable is not set");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
