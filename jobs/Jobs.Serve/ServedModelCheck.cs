using Jobs.Contracts;
using Jobs.Store;
using Npgsql;

namespace Jobs.Serve;

/// <summary>
/// Queries are embedded with the model of the vectors they are compared with, or the ranking is noise: at start, the
/// service reads the served model recorded in the store (<c>store_settings.served_model</c>, else the model of the
/// rows in <c>chunks</c>) and refuses to start when its own model (<c>JOBS_MODEL__ID</c>) differs. An empty store
/// records no model and passes.
/// </summary>
internal sealed class ServedModelCheck(NpgsqlDataSource dataSource, ModelOptions model) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var served = await ServedModel.ReadAllAsync(dataSource, cancellationToken).ConfigureAwait(false);
        if (served.Count == 0 || (served.Count == 1 && string.Equals(served[0], model.Id, StringComparison.Ordinal))) return;
        throw new ServedModelMismatchException(served.Count == 1
            ? $"the store serves vectors of model {served[0]}, but this service would embed queries with {model.Id}: set JOBS_MODEL__ID={served[0]} (and the provider that made those vectors)"
            : $"the store's chunks hold vectors of several models ({string.Join(", ", served)}) and no served model is recorded; this service embeds queries with {model.Id}");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The service's model is not the one the store serves: a deployment mistake (exit 2).</summary>
public sealed class ServedModelMismatchException(string message) : Exception(message)
{
    /// <summary>The mismatch behind a failed host start (the host may wrap it).</summary>
    public static ServedModelMismatchException? Find(Exception e) => e switch
    {
        ServedModelMismatchException m => m,
        AggregateException a => a.InnerExceptions.Select(Find).FirstOrDefault(m => m is not null),
        _ => null,
    };
}
