using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Embeddings.Tests;

/// <summary>A fault the server injects into one request.</summary>
public enum Fault
{
    None,
    TooManyRequestsSeconds,   // 429, Retry-After: 1
    TooManyRequestsMs,        // 429, retry-after-ms: 300
    UnavailableDate,          // 503, Retry-After: an HTTP date ~2 s ahead
    Unavailable,              // 503, no header
    Slow,                     // answers after 3 s, beyond the client's attempt timeout
    Drop,                     // drops the connection
    MalformedJson,
    MissingItem,
    WrongDimension,
    NaN,
    Shuffled,                 // items out of order, with correct indexes (must still be right)
    Poison,                   // 500: chosen for every request holding a poison input
}

/// <summary>What the server saw: when, which inputs, what it did, and the wait it asked for (measured at the server).</summary>
public sealed record SeenRequest(int Number, string Path, IReadOnlyList<string> Inputs, long ArrivedTicks, DateTimeOffset ArrivedUtc, Fault Fault,
    long AnsweredTicks, TimeSpan? AskedWait, DateTimeOffset? AskedUntil, string? Authorization, bool ClientGaveUp)
{
    /// <summary>
    /// .NET's timers count whole milliseconds (Environment.TickCount64), so a delay of 300 ms may end up to a
    /// millisecond or two early on the high-resolution clock the server measures with (CI saw a retry counted
    /// before 300 ms). Ten milliseconds covers that and still fails a client that ignores the header, whose
    /// backoff in these tests is 1 ms, or that counts whole seconds of an HTTP date the wrong way.
    /// </summary>
    public static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(10);

    /// <summary>Fails unless <paramref name="retry"/> came no earlier than this request asked (Retry-After, retry-after-ms or an HTTP date).</summary>
    public void AssertHonouredBy(SeenRequest retry)
    {
        if (AskedWait is { } wait)
        {
            var waited = Stopwatch.GetElapsedTime(AnsweredTicks, retry.ArrivedTicks);
            Xunit.Assert.True(waited >= wait - TimerSlack, $"{Fault}: retried after {waited.TotalMilliseconds:F1} ms, asked to wait {wait.TotalMilliseconds} ms");
        }
        if (AskedUntil is { } until)
            Xunit.Assert.True(retry.ArrivedUtc >= until - TimerSlack, $"{Fault}: retried at {retry.ArrivedUtc:O}, before the HTTP date {until:O}");
    }
}

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, port 0) speaking the OpenAI-compatible, TEI and Ollama embedding APIs
/// with deterministic vectors, injecting the faults a script chooses per request number.
/// </summary>
public sealed class FaultyEmbeddingServer : IAsyncDisposable
{
    public const int Dimensions = 384;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private int _count;

    private FaultyEmbeddingServer(WebApplication app) => _app = app;

    /// <summary>Faults for the next requests, one each, in order; requests holding a poison input always get <see cref="Fault.Poison"/>.</summary>
    public ConcurrentQueue<Fault> Faults { get; } = new();

    public ConcurrentDictionary<string, bool> PoisonInputs { get; } = new(StringComparer.Ordinal);

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>When set, every request is answered with this status (an outage, refused credentials).</summary>
    public int? AlwaysStatus { get; set; }

    /// <summary>How long every answer takes (to give a test time to kill a client part-way).</summary>
    public TimeSpan Latency { get; set; }

    public IReadOnlyList<SeenRequest> Seen => [.. _seen.OrderBy(r => r.Number)];

    public static async Task<FaultyEmbeddingServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FaultyEmbeddingServer(app);
        app.MapPost("/v1/embeddings", (HttpContext c) => server.HandleAsync(c, "openai"));
        app.MapPost("/embed", (HttpContext c) => server.HandleAsync(c, "tei"));
        app.MapPost("/api/embed", (HttpContext c) => server.HandleAsync(c, "ollama"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>The vector the server gives <paramref name="text"/>: a unit vector seeded by its hash.</summary>
    public static float[] VectorOf(string text)
    {
        var seed = BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var random = new Random(seed);
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < v.Length; i++) v[i] /= norm;
        return v;
    }

    private async Task HandleAsync(HttpContext context, string api)
    {
        var arrived = Stopwatch.GetTimestamp();
        var arrivedUtc = DateTimeOffset.UtcNow;
        var number = Interlocked.Increment(ref _count);
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var inputs = (api == "tei" ? body!["inputs"] : body!["input"])!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        var fault = inputs.Any(PoisonInputs.ContainsKey) ? Fault.Poison : Faults.TryDequeue(out var next) ? next : Fault.None;
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency, context.RequestAborted);
        TimeSpan? wait = null;
        DateTimeOffset? until = null;
        var response = context.Response;
        if (AlwaysStatus is { } always)
        {
            response.StatusCode = always;
            _seen.Enqueue(new SeenRequest(number, api, inputs, arrived, arrivedUtc, fault, Stopwatch.GetTimestamp(), null, null, null, false));
            return;
        }
        switch (fault)
        {
            case Fault.TooManyRequestsSeconds:
                wait = TimeSpan.FromSeconds(1);
                response.StatusCode = 429;
                response.Headers.RetryAfter = "1";
                break;
            case Fault.TooManyRequestsMs:
                wait = TimeSpan.FromMilliseconds(300);
                response.StatusCode = 429;
                response.Headers["retry-after-ms"] = "300";
                break;
            case Fault.UnavailableDate:
                // HTTP dates have whole seconds: the client must wait until that instant, whatever its own rounding.
                var date = DateTimeOffset.FromUnixTimeSeconds(arrivedUtc.ToUnixTimeSeconds() + 2);
                until = date;
                response.StatusCode = 503;
                response.Headers.RetryAfter = date.ToString("R", CultureInfo.InvariantCulture);
                break;
            case Fault.Unavailable or Fault.Poison:
                response.StatusCode = fault == Fault.Poison ? 500 : 503;
                break;
            case Fault.Slow:
                try { await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted); }
                catch (OperationCanceledException) { /* the client gave up, as it should */ }
                break;
            case Fault.Drop:
                context.Abort();
                break;
        }
        _seen.Enqueue(new SeenRequest(number, api, inputs, arrived, arrivedUtc, fault, Stopwatch.GetTimestamp(), wait, until,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, context.RequestAborted.IsCancellationRequested));
        if (fault is not (Fault.None or Fault.Shuffled or Fault.MalformedJson or Fault.MissingItem or Fault.WrongDimension or Fault.NaN or Fault.Slow)) return;
        if (context.RequestAborted.IsCancellationRequested) return;
        if (fault == Fault.MalformedJson)
        {
            await response.WriteAsync("{\"data\": [{\"index\": 0, \"embedding\": [0.1, ", context.RequestAborted);
            return;
        }
        var vectors = inputs.Select(VectorOf).Select(v => new JsonArray([.. v.Select(x => JsonValue.Create(x))])).ToList();
        if (fault == Fault.WrongDimension) vectors[0].RemoveAt(0);
        if (fault == Fault.NaN) vectors[^1][7] = "NaN";
        JsonNode answer = api switch
        {
            "tei" => new JsonArray([.. vectors]),
            "ollama" => new JsonObject { ["model"] = body["model"]!.GetValue<string>(), ["embeddings"] = new JsonArray([.. vectors]) },
            _ => new JsonObject
            {
                ["object"] = "list",
                ["model"] = body["model"]!.GetValue<string>(),
                ["data"] = Items(vectors, shuffled: fault == Fault.Shuffled),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["total_tokens"] = 1 },
            },
        };
        if (fault == Fault.MissingItem)
        {
            if (answer is JsonArray list) list.RemoveAt(list.Count - 1);
            else if (answer["data"] is JsonArray data) data.RemoveAt(data.Count - 1);
            else answer["embeddings"]!.AsArray().RemoveAt(answer["embeddings"]!.AsArray().Count - 1);
        }
        response.ContentType = "application/json";
        await response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    private static JsonArray Items(List<JsonArray> vectors, bool shuffled)
    {
        var items = vectors.Select((v, i) => (JsonNode)new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = v }).ToList();
        if (shuffled) items.Reverse(); // out of order, with correct indexes: must still come out right
        return new JsonArray([.. items]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
