using System.Diagnostics;
using Jobs.Testing;
using Xunit;

namespace Jobs.Images.Tests;

/// <summary>The stage images `make images` builds (jobs-&lt;stage&gt;:&lt;VERSION&gt;); the tests need them and fail without them.</summary>
internal static class StageImages
{
    public static readonly string[] Stages = ["ingest", "chunk", "embed", "validate", "load", "search", "theme", "serve"];

    public static string Version { get; } = File.ReadAllText(Path.Combine(RepoPaths.Root, "VERSION")).Trim();

    public static string Of(string stage) => $"jobs-{stage}:{Version}";

    /// <summary>Fails (never skips) when an image is missing, naming the command that builds it.</summary>
    public static async Task AssertBuiltAsync(CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var image in Stages.Select(Of))
        {
            using var inspect = Process.Start(new ProcessStartInfo("docker", ["image", "inspect", "--format", "{{.Id}}", image])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("cannot start docker");
            await inspect.WaitForExitAsync(cancellationToken);
            if (inspect.ExitCode != 0) missing.Add(image);
        }
        Assert.True(missing.Count == 0, $"stage images missing: {string.Join(", ", missing)}. Build them with `make images` (make test does it first).");
    }
}
