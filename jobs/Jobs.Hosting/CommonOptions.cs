using System.CommandLine;

namespace Jobs.Hosting;

/// <summary>The options every stage accepts: the job contract shared with the Airflow DAGs.</summary>
internal sealed class CommonOptions
{
    public const string LakeEnv = "JOBS_LAKE";
    public const string PostgresEnv = "JOBS_PG";

    public Option<string> Start { get; } = new("--start") { Description = "First day of the date chunk (yyyy-MM-dd, inclusive)" };
    public Option<string> End { get; } = new("--end") { Description = "Day after the date chunk (yyyy-MM-dd, exclusive)" };
    public Option<string> Lake { get; } = new("--lake") { Description = $"Root folder of the Delta tables (env {LakeEnv})" };
    public Option<string> Postgres { get; } = new("--pg") { Description = $"PostgreSQL connection string or postgresql:// URI (env {PostgresEnv})" };
    public Option<string> RunId { get; } = new("--run-id") { Description = "Run identifier recorded in logs and rows (generated when absent)" };
    public Option<string> LogFormat { get; } = new("--log-format") { Description = "json or text (default: json unless stderr is a terminal)" };
    public Option<bool> ValidateArgs { get; } = new("--validate-args") { Description = "Check arguments and configuration, then exit without doing any work" };

    public IEnumerable<Option> All => [Start, End, Lake, Postgres, RunId, LogFormat, ValidateArgs];
}
