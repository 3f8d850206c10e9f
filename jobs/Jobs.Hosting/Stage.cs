using System.CommandLine;

namespace Jobs.Hosting;

/// <summary>
/// One pipeline stage: its name, its own CLI options, and the work for one date chunk. The runner owns everything
/// else (argument parsing, logging, exit codes, cancellation), so every stage honours the same contract.
/// </summary>
public abstract class Stage
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public virtual bool RequiresPostgres => false;
    /// <summary>False for commands such as search where the date range is an optional filter.</summary>
    public virtual bool RequiresDateChunk => true;
    public virtual IEnumerable<Option> Options => [];

    /// <summary>Checks stage options before any I/O; throw <see cref="JobConfigurationException"/> to exit with code 2.</summary>
    public virtual void Validate(JobContext context) { }

    public abstract Task<StageResult> RunAsync(JobContext context, CancellationToken cancellationToken);
}
