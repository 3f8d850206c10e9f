using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Jobs.Embed;

/// <summary>
/// Replaces the chunk's days in <c>embeddings</c> with one vector per chunk, or a row in <c>dead_letters</c> for a
/// chunk that no retry could embed. Vectors already anywhere in the lake for the same text and model are reused
/// (content-addressed by the chunk's hash), so re-running an unchanged date chunk makes no model calls.
/// </summary>
public sealed class EmbedStage : Stage<EmbedWork>
{
    public override string Name => "embed";
    public override string Description => "Delta chunks → embeddings (the configured provider; default snowflake-arctic-embed-xs via ONNX Runtime, in-process)";
    public override IReadOnlyList<OptionsSection> Sections =>
        [OptionsSection.Of<EmbedOptions>(EmbedOptions.Section), ModelServices.Section, OptionsSection.Of<EmbeddingClientOptions>(EmbeddingClientOptions.Section)];

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddLake().AddEmbeddingModel().AddEmbeddings(sp => sp.GetRequiredService<JobRunnerSettings>().Variable);

    /// <summary>The model loads (or the remote provider's client can be built).</summary>
    public override IEnumerable<string> Preflight(IServiceProvider services)
    {
        services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        return [];
    }
}
