using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jobs.Images.Tests;

public sealed record StageContainerResult(long ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs one stage image to completion the way its pod runs: the image's entrypoint with the DAG's arguments, the
/// ConfigMap and Secret as environment, the data volume mounted, a read-only root filesystem with a tmpfs /tmp,
/// the pod's non-root user; for a pod that pushes its result as XCom, the operator's writable /airflow/xcom (here a
/// host folder, <paramref name="hostXcomPath"/>, to read the result back).
/// </summary>
internal static class StageContainer
{
    public static async Task<StageContainerResult> RunAsync(DagPod pod, IReadOnlyDictionary<string, string> secrets, string hostDataPath,
        INetwork network, CancellationToken cancellationToken, string? hostXcomPath = null)
    {
        var env = new Dictionary<string, string>(pod.Env);
        foreach (var (name, reference) in pod.SecretEnv)
            env[name] = secrets.TryGetValue(reference, out var value) ? value : throw new InvalidOperationException($"no test value for secret {reference}");

        var builder = new ContainerBuilder(pod.Image)
            .WithNetwork(network)
            .WithCommand(pod.Arguments)
            .WithEnvironment(env)
            .WithBindMount(hostDataPath, pod.DataMount)
            .WithCreateParameterModifier(p =>
            {
                p.User = pod.RunAsUser.ToString(System.Globalization.CultureInfo.InvariantCulture);
                p.HostConfig!.ReadonlyRootfs = pod.ReadOnlyRootFilesystem;
            })
            .WithWaitStrategy(Wait.ForUnixContainer().AddCustomWaitStrategy(new Started()))
            .WithLogger(NullLogger.Instance);
        foreach (var path in pod.Tmpfs) builder = builder.WithTmpfsMount(path);
        if (pod.XcomMount is { } xcom)
            builder = builder.WithBindMount(hostXcomPath ?? throw new ArgumentException($"{pod.Stage} pushes XCom: give a host folder for {xcom}", nameof(hostXcomPath)), xcom);

        await using var container = builder.Build();
        await container.StartAsync(cancellationToken);
        var exitCode = await container.GetExitCodeAsync(cancellationToken);
        var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false, ct: cancellationToken);
        return new StageContainerResult(exitCode, stdout, stderr);
    }

    /// <summary>A job container may finish before any readiness probe: started is enough; the exit code is awaited.</summary>
    private sealed class Started : IWaitUntil
    {
        public Task<bool> UntilAsync(IContainer container) => Task.FromResult(true);
    }
}
