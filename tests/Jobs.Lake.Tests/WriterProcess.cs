using System.Diagnostics;

namespace Jobs.Lake.Tests;

/// <summary>Starts `jobs-delta` (tools/Jobs.DeltaTool) as a separate OS process, as a second pod would be.</summary>
internal static class WriterProcess
{
    private static string ToolDll => Path.Combine(AppContext.BaseDirectory, "jobs-delta.dll");

    public static Process Start(params string[] args) => Start(null, args);

    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        if (!File.Exists(ToolDll)) throw new FileNotFoundException($"{ToolDll} was not built next to the tests");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        info.ArgumentList.Add(ToolDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(CancellationToken ct, params string[] args) =>
        RunAsync(null, ct, args);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct, params string[] args)
    {
        using var process = Start(environment, args);
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output, await error);
    }
}
