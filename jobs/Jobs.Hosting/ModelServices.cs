using Jobs.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Jobs.Hosting;

public static class ModelServices
{
    /// <summary>The <see cref="ModelOptions"/> section every model-aware stage binds.</summary>
    public static OptionsSection Section { get; } = OptionsSection.Of<ModelOptions>(ModelOptions.Section);

    /// <summary>The <see cref="EmbeddingModel"/> descriptor named by <see cref="ModelOptions.Id"/> (validated before the run).</summary>
    public static IServiceCollection AddEmbeddingModel(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => EmbeddingModels.Find(sp.GetRequiredService<IOptions<ModelOptions>>().Value.Id)
            ?? throw new JobConfigurationException($"unknown embedding model '{sp.GetRequiredService<IOptions<ModelOptions>>().Value.Id}'"));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>());
        return services;
    }

    private sealed class ModelOptionsValidator : IValidateOptions<ModelOptions>
    {
        public ValidateOptionsResult Validate(string? name, ModelOptions options)
        {
            var problems = new List<string>();
            if (EmbeddingModels.Find(options.Id) is null)
                problems.Add($"--model '{options.Id}' is not a known model (known: {string.Join(", ", EmbeddingModels.Known.Select(m => m.Id))})");
            if (options.Dir is { Length: > 0 } dir && !Directory.Exists(dir))
                problems.Add($"--model-dir {dir} is not a folder");
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
