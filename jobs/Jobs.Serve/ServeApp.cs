using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Store;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Npgsql;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Jobs.Serve;

/// <summary>
/// jobs-serve: <c>GET /search</c> (JSON; errors as RFC 7807 problem details), the OpenAPI document, health probes
/// and one web page, over the serving store with read-only sessions. Settings: <c>JOBS_PG</c> (secret),
/// <c>JOBS_SERVE__*</c> (<see cref="ServeOptions"/>), <c>JOBS_MODEL__*</c>; or the same keys as <c>--Key=value</c>.
/// </summary>
public static partial class ServeApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"serve: error: {string.Join("; ", e.Failures)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        try
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (ServedModelMismatchException.Find(e) is { } mismatch)
        {
            await Console.Error.WriteLineAsync($"serve: error: {mismatch.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return ExitCodes.Success;
    }

    /// <param name="configure">Applied last: tests swap services here.</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddEnvironmentVariables(JobConfigurationPrefix).AddCommandLine(args);
        var serve = Bind<ServeOptions>(builder.Configuration.GetSection(ServeOptions.Section));
        var model = Bind<ModelOptions>(builder.Configuration.GetSection(ModelOptions.Section));
        var pg = builder.Configuration["Pg"];
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(pg)) problems.Add("missing connection string: set JOBS_PG or pass --Pg=...");
        if (problems.Count > 0) throw new OptionsValidationException("serve", typeof(ServeOptions), problems);

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning) // ASP.NET's own request lines carry the query string
            .Enrich.WithProperty("Stage", "serve")
            .WriteTo.Console(new RenderedCompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger(), dispose: true);
        builder.WebHost.UseUrls(serve.Urls);

        var services = builder.Services;
        services.AddSingleton(Options.Create(serve)).AddSingleton(serve);
        services.AddSingleton(Options.Create(model)).AddSingleton(model);
        services.AddEmbeddingModel().AddEmbeddings();
        // Read-only sessions whatever the role can do: the service never writes.
        services.AddStore(_ => new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(pg!)) { Options = "-c default_transaction_read_only=on" }.ConnectionString);
        services.AddSingleton(sp => new QueryEmbeddingCache(sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredService<EmbeddingModel>(), serve.QueryCacheEntries));
        services.AddHostedService<ServedModelCheck>(); // refuses to start when the store serves another model's vectors
        services.AddHostedService<ModelWarmUp>(); // the model's session exists before the service listens
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(serve.TimeoutSeconds),
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        configure?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(LogRequestAsync);
        app.UseRequestTimeouts();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOpenApi();
        app.MapGet("/healthz", () => Results.Ok(new { status = "alive" })).ExcludeFromDescription();
        app.MapGet("/readyz", ReadyAsync).ExcludeFromDescription();
        app.MapGet("/search", SearchEndpoint.HandleAsync)
            .WithName("Search")
            .WithSummary("Passages for a plain-language query")
            .WithDescription("Vector, full-text or hybrid (reciprocal rank fusion) search with category and date filters; errors are RFC 7807 problem details.")
            .Produces<SearchResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AddEndpointFilter(RequireApiKey);
        app.MapGet("/themes", SearchEndpoint.ThemesAsync)
            .WithName("Themes")
            .WithSummary("The themes of the latest themed window, largest first")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AddEndpointFilter(RequireApiKey);
        return app;
    }

    private const string JobConfigurationPrefix = "JOBS_";

    private static T Bind<T>(IConfiguration section) where T : class, new()
    {
        var value = new T();
        try
        {
            section.Bind(value);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(typeof(T).Name, typeof(T), [e.Message]);
        }
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(value, new(value), results, validateAllProperties: true))
            throw new OptionsValidationException(typeof(T).Name, typeof(T), results.Select(r => r.ErrorMessage ?? "invalid"));
        return value;
    }

    private static async Task<IResult> ReadyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM (SELECT 1 FROM chunks LIMIT 1) s");
            await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return Results.Ok(new { status = "ready" });
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Results.Problem(title: "The serving store is not reachable or not loaded", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>One structured line per request, without the query string (queries can be personal data).</summary>
    private static async Task LogRequestAsync(HttpContext http, RequestDelegate next)
    {
        var log = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Jobs.Serve.Requests");
        var clock = Stopwatch.StartNew();
        await next(http).ConfigureAwait(false);
        RequestServed(log, http.Request.Method, http.Request.Path, http.Response.StatusCode, clock.Elapsed.TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:F1} ms")]
    private static partial void RequestServed(Microsoft.Extensions.Logging.ILogger log, string method, string path, int statusCode, double elapsedMs);

    /// <summary>The data endpoints need X-Api-Key when one is configured (the page, probes and OpenAPI do not).</summary>
    private static async ValueTask<object?> RequireApiKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = context.HttpContext.RequestServices.GetRequiredService<ServeOptions>().ApiKey;
        return KeyMatches(expected, context.HttpContext.Request.Headers["X-Api-Key"].FirstOrDefault())
            ? await next(context).ConfigureAwait(false)
            : Results.Problem(title: "Missing or wrong API key", detail: "send the X-Api-Key header", statusCode: StatusCodes.Status401Unauthorized);
    }

    internal static bool KeyMatches(string? expected, string? given) =>
        expected is null || (given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given)));
}
