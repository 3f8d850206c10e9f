using Microsoft.Extensions.DependencyInjection;

namespace Jobs.Hosting;

/// <summary>
/// One pipeline stage: its name, the options it binds, the services it uses, and its work for one date chunk. The
/// runner owns everything else (configuration, validation, logging, exit codes, cancellation), so every stage
/// honours the same contract.
/// </summary>
public abstract class Stage
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public virtual bool RequiresPostgres => false;
    public virtual bool RequiresLake => true;
    /// <summary>False for commands such as search where the date range is an optional filter.</summary>
    public virtual bool RequiresDateChunk => true;

    /// <summary>The options classes the stage binds (each becomes <c>IOptions&lt;T&gt;</c> and <c>T</c> in the services).</summary>
    public virtual IReadOnlyList<OptionsSection> Sections => [];

    /// <summary>Registers what the stage uses; <see cref="JobContext"/>, the options, logging and a clock are already there.</summary>
    public virtual void ConfigureServices(IServiceCollection services) { }

    /// <summary>
    /// Checks for <c>--validate-args</c> that go beyond the options (files exist, the model loads) without side
    /// effects; each problem is one line.
    /// </summary>
    public virtual IEnumerable<string> Preflight(IServiceProvider services) => [];

    public abstract Task<StageResult> RunAsync(IServiceProvider services, CancellationToken cancellationToken);
}

/// <summary>The work of one run, built by the services so that it receives exactly what it uses.</summary>
public interface IStageWork
{
    Task<StageResult> RunAsync(CancellationToken cancellationToken);
}

/// <summary>A stage whose work is <typeparamref name="TWork"/>, constructed from the run's services.</summary>
public abstract class Stage<TWork> : Stage where TWork : class, IStageWork
{
    public sealed override Task<StageResult> RunAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        ActivatorUtilities.CreateInstance<TWork>(services).RunAsync(cancellationToken);
}
