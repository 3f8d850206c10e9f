using Jobs.Testing;

namespace Jobs.Stages.Tests;

/// <summary>The bundled samples used as stage inputs.</summary>
internal static class SampleFiles
{
    public static string SotuCsv => Path.Combine(RepoPaths.Samples, "sotu", "sotu.csv");
    public static string SotuJsonl => Path.Combine(RepoPaths.Samples, "sotu", "sotu.jsonl");
    public static string BadRecords => Path.Combine(RepoPaths.Samples, "bad", "bad-records.jsonl");

    /// <summary>Arguments that map the SOTU fields onto the document contract.</summary>
    public static readonly string[] SotuMapping = ["--time-field", "date", "--category-field", "party"];
}
