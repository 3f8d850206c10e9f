using Jobs.Contracts;
using Jobs.Lake;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Jobs.Tables;

public static class LakeServices
{
    /// <summary>The run's <see cref="LakeStore"/> at <paramref name="location"/>, and how the lake's failures map to exit codes.</summary>
    public static IServiceCollection AddLake(this IServiceCollection services, Func<IServiceProvider, string> location)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new LakeStore(location(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LakeStore>>()));
        services.AddSingleton<IFailureClassifier, LakeFailureClassifier>();
        return services;
    }
}

/// <summary>The Delta library's exceptions by cause: a table it cannot read or must not write is refused input; a lost race is worth a retry.</summary>
internal sealed class LakeFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        DeltaUnsupportedException or DeltaProtocolException => FailureKind.InputRefused,
        DeltaConflictException => FailureKind.Transient,
        _ => null,
    };
}
