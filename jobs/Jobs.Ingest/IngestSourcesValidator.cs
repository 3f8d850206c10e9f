using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Jobs.Ingest;

/// <summary>
/// Checks every configured source before any file is read, each problem naming its source
/// (<c>Ingest:Sources:1 (incoming/mail): ...</c>): a location, a known time zone, a usable CSV separator, no blank or
/// repeated field names, and no setting the source does not have (a misspelt key would otherwise be ignored).
/// </summary>
internal sealed class IngestSourcesValidator(IConfiguration? configuration = null) : IValidateOptions<IngestOptions>
{
    private static readonly HashSet<string> Settings = new(typeof(SourceOptions).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var problems = new List<string>();
        if (options.Source.Length == 0 && options.Sources.Length == 0)
            problems.Add("--source is required: at least one --source file or folder, or an Ingest:Sources entry in the --config file");
        for (var i = 0; i < options.Sources.Length; i++)
        {
            var source = options.Sources[i];
            var prefix = IngestSource.NameOf(i, source) + ":";
            if (string.IsNullOrWhiteSpace(source.Location)) problems.Add($"{prefix} Location is required (a file, folder or date template)");
            if (source.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
                problems.Add($"{prefix} TimeZone {zone} is not a known time zone (use an IANA id such as Europe/Paris)");
            if (source.CsvSeparator is { } sep && (sep.Length != 1 || sep[0] > '\u007f' || sep[0] is '"' or '\r' or '\n'))
                problems.Add($"{prefix} CsvSeparator must be one ASCII character other than a quote or a line break, not '{sep}'");
            foreach (var (setting, value) in new[] { ("IdField", source.IdField), ("TimeField", source.TimeField) })
                if (value is not null && value.Trim().Length == 0) problems.Add($"{prefix} {setting} must name a field");
            foreach (var (setting, fields) in new[] { ("TextFields", source.TextFields), ("MetadataFields", source.MetadataFields), ("TimeFormat", source.TimeFormat) })
            {
                if (fields.Any(string.IsNullOrWhiteSpace)) problems.Add($"{prefix} {setting} has an empty entry");
                if (fields.GroupBy(f => f, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
                    problems.Add($"{prefix} {setting} names '{twice.Key}' twice");
            }
            foreach (var key in configuration?.GetSection($"{IngestOptions.Section}:Sources:{i}").GetChildren().Select(c => c.Key) ?? [])
                if (!Settings.Contains(key))
                    problems.Add($"{prefix} unknown setting {key}; a source has {string.Join(", ", typeof(SourceOptions).GetProperties().Select(p => p.Name))}");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
