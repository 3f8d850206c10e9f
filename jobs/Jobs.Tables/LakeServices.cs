using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jobs.Tables;

public static class LakeServices
{
    /// <summary>
    /// The run's lake (<c>--lake</c> / JOBS_LAKE: a folder or az://container/prefix with AZURE_STORAGE_CONNECTION_STRING)
    /// as an <see cref="ILakeStorage"/> and a <see cref="LakeStore"/>; a location that cannot be opened is reported
    /// with the other settings, before any work; the lake's failures map to exit codes.
    /// </summary>
    public static IServiceCollection AddLake(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => Open(sp.GetRequiredService<JobContext>().Lake, sp.GetRequiredService<JobRunnerSettings>().Variable));
        services.TryAddSingleton<LakeStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobOptions>, LakeLocationValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, LakeFailureClassifier>());
        return services;
    }

    /// <summary>A lake outside a stage run (tools, tests): the given location and the process environment.</summary>
    public static LakeStore Open(string location, ILoggerFactory? loggerFactory = null) =>
        new(Open(location, Environment.GetEnvironmentVariable), TimeProvider.System, loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

    private static ILakeStorage Open(string location, Func<string, string?> environment)
    {
        try
        {
            return LakeStorage.Open(location, environment);
        }
        catch (ArgumentException e)
        {
            throw new LakeLocationException(e.Message);
        }
    }

    private sealed class LakeLocationValidator(JobRunnerSettings settings) : IValidateOptions<JobOptions>
    {
        public ValidateOptionsResult Validate(string? name, JobOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Lake)) return ValidateOptionsResult.Skip; // the runner reports a missing lake
            try
            {
                Open(options.Lake, settings.Variable);
                return ValidateOptionsResult.Success;
            }
            catch (LakeLocationException e)
            {
                return ValidateOptionsResult.Fail($"--lake: {e.Message}");
            }
        }
    }
}

/// <summary>The lake location cannot be opened as given (malformed, a file, no credentials): configuration, not a retry.</summary>
public sealed class LakeLocationException(string message) : Exception(message);

/// <summary>
/// The lake's exceptions by cause: a table it cannot read or must not write is refused input; a lost race or an
/// unavailable store is worth a retry; a location or credentials that cannot work are configuration.
/// </summary>
internal sealed class LakeFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        LakeLocationException => FailureKind.Configuration,
        DeltaUnsupportedException or DeltaProtocolException => FailureKind.InputRefused,
        DeltaConflictException => FailureKind.Transient,
        Azure.RequestFailedException { Status: 401 or 403 } => FailureKind.Configuration,
        Azure.RequestFailedException { Status: 404 } r when r.ErrorCode == "ContainerNotFound" => FailureKind.Configuration,
        Azure.RequestFailedException { Status: 408 or 429 or >= 500 or 0 } => FailureKind.Transient,
        _ => null,
    };
}
