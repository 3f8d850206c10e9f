using System.ComponentModel;
using Jobs.Contracts;

namespace Jobs.Hosting;

/// <summary>
/// The settings every stage accepts (configuration root; env <c>JOBS_START</c>, <c>JOBS_LAKE</c>, <c>JOBS_PG</c>...):
/// the job contract shared with the Airflow DAGs.
/// </summary>
public sealed class JobOptions
{
    [Description("First day of the date chunk (yyyy-MM-dd, inclusive)")]
    public string? Start { get; set; }

    [Description("Day after the date chunk (yyyy-MM-dd, exclusive)")]
    public string? End { get; set; }

    [Description("Root of the Delta tables, a folder (env JOBS_LAKE)")]
    public string? Lake { get; set; }

    [CliOption("--pg"), Secret, Description("PostgreSQL connection string or postgresql:// URI (env JOBS_PG)")]
    public string? Pg { get; set; }

    [Description("Run identifier recorded in logs and rows (generated when absent)")]
    public string? RunId { get; set; }

    [Description("json or text (default: json unless stderr is a terminal)")]
    public string? LogFormat { get; set; }

    [Description("On success, write the result (counts, changed_days: days outside the chunk whose data changed) as JSON to this file, e.g. Airflow's /airflow/xcom/return.json")]
    public string? ResultFile { get; set; }
}
