using System.Diagnostics;
using System.Text.Json;
using Jobs.Testing;
using Xunit;

namespace Jobs.Images.Tests;

/// <summary>
/// One pod as the Airflow DAG would launch it (tests/dags/render_pods.py prints them from the DAG's code). A task may
/// run another stage's image (<c>validate_load</c> runs jobs-validate with <c>--after load</c>): <see cref="ImageStage"/>.
/// </summary>
public sealed record DagPod(
    string Stage,
    string Image,
    string[] Arguments,
    Dictionary<string, string> Env,
    Dictionary<string, string> SecretEnv,
    string ImageStage,
    string DataMount,
    string[] Tmpfs,
    bool ReadOnlyRootFilesystem,
    int RunAsUser,
    string? XcomMount);

/// <summary>
/// Asks the DAG itself which pods a run launches: runs tests/dags/render_pods.py, which calls the DAG's planning and
/// pod-settings functions and resolves the ConfigMap from the Helm chart's values. The test then runs exactly those.
/// </summary>
internal static class DagPods
{
    private sealed record Rendered(DagPod[] Pods);

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <param name="withTheme">Also the jobs_themes pod for the same window, after the pipeline's.</param>
    public static async Task<IReadOnlyList<DagPod>> RenderAsync(string start, string end, int chunkDays, string runId, CancellationToken cancellationToken,
        bool withTheme = false)
    {
        // Debian's python3 has the packages tools/provision-python.sh installs; a pyenv shim first on PATH may not.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var info = new ProcessStartInfo(python,
            [Path.Combine(RepoPaths.Root, "tests", "dags", "render_pods.py"), "--start", start, "--end", end,
             "--chunk-days", chunkDays.ToString(System.Globalization.CultureInfo.InvariantCulture), "--run-id", runId, .. (withTheme ? new[] { "--theme" } : [])])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        info.Environment.Remove("JOBS_IMAGE_REGISTRY"); // the images under test are local ones
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {python}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"render_pods.py exited {process.ExitCode} (run tools/provision-python.sh?): {await stderr}");
        return JsonSerializer.Deserialize<Rendered>(await stdout, Json)!.Pods;
    }
}
