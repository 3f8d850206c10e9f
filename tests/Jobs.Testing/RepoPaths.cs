namespace Jobs.Testing;

/// <summary>Paths of the repository and of the shared test data beside it (../shared/testdata; never copied in).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "samples");

    public static string SharedTestData
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("JOBS_SHARED_TESTDATA") is { Length: > 0 } env
                ? env
                : Path.GetFullPath(Path.Combine(Root, "..", "shared", "testdata"));
            return Directory.Exists(path)
                ? path
                : throw new DirectoryNotFoundException($"shared test data not found at {path}: clone beside shared/ or set JOBS_SHARED_TESTDATA");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Jobs.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Jobs.sln not found above {AppContext.BaseDirectory}");
    }
}
