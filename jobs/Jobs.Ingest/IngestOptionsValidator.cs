using Microsoft.Extensions.Options;

namespace Jobs.Ingest;

/// <summary>Rules across settings: a time zone that exists, a record limit that can hold the largest text.</summary>
internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var problems = new List<string>();
        if (!string.IsNullOrEmpty(options.TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _))
            problems.Add($"--time-zone {options.TimeZone} is not a known time zone (use an IANA id such as Europe/Paris)");
        if (options.CsvSeparator is not { Length: 1 } sep || sep[0] > '\u007f' || sep[0] is '"' or '\r' or '\n')
            problems.Add($"--csv-separator must be one ASCII character other than a quote or a line break, not '{options.CsvSeparator}'");
        if (options.MaxRecordBytes < options.MaxTextBytes)
            problems.Add($"--max-record-bytes {options.MaxRecordBytes} must be at least --max-text-bytes {options.MaxTextBytes}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
