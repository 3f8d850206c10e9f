using Jobs.Hosting;
using Microsoft.Extensions.Options;

namespace Jobs.Ingest;

/// <summary>
/// Rules of the Delta and PostgreSQL sources, checked before any work: a query names the chunk's range (@start and
/// @end), and its connection string is in the environment variable --source-pg-env names (whose value is never shown).
/// </summary>
internal sealed class SourceOptionsValidator(JobRunnerSettings settings) : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        // The locations read as queries, from the settings alone (IngestSource.All also builds each mapping, which an
        // invalid source of another kind must not stop before IngestSourcesValidator names its problem).
        var queries = IngestSource.Locate(options).Where(s => s.Format == SourceFormat.Postgres).SelectMany(s => s.Locations).ToList();
        if (queries.Count == 0) return ValidateOptionsResult.Skip;
        var problems = new List<string>();
        if (options.SourcePgEnv is not { Length: > 0 } variable)
            problems.Add("--format postgres needs --source-pg-env: the name of the environment variable holding the source's connection string");
        else if (settings.Variable(variable) is not { } value)
            problems.Add($"--source-pg-env {variable}: the environment variable {variable} is not set");
        else
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(value));
            }
            catch (Exception e) when (e is ArgumentException or FormatException or JobConfigurationException)
            {
                problems.Add($"--source-pg-env {variable}: the variable does not hold a valid PostgreSQL connection string");
            }
        }
        foreach (var query in queries.Where(q => !PostgresQuerySource.UsesRange(q)))
            problems.Add($"--source query '{StrictUtf8.Truncate(query, 60)}' must select the chunk with @start and @end (e.g. WHERE created_at >= @start AND created_at < @end), so a daily run reads only its day");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
