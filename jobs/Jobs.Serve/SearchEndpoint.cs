using System.Globalization;
using Jobs.Store;

namespace Jobs.Serve;

/// <summary>A search hit as the API returns it.</summary>
public sealed record SearchResult(int Rank, string ChunkId, string DocId, string? Title, string Day, string? Category, string? Theme,
    double Score, int Ordinal, string Text);

public sealed record SearchResponse(string Query, string Mode, int K, double TookMs, IReadOnlyList<SearchResult> Results);

/// <summary>GET /search: parses and checks every parameter (all problems in one 400), then runs one query.</summary>
internal static class SearchEndpoint
{
    private static readonly HashSet<string> Known = ["q", "mode", "k", "category", "theme", "from", "to", "group", "ef_search", "rrf_k"];

    public static async Task<IResult> HandleAsync(HttpContext http, HybridSearch search, QueryEmbeddingCache embeddings, ServeOptions options,
        CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        var errors = new Dictionary<string, string[]>();
        void Fail(string name, string message) => errors[name] = [message];
        foreach (var name in query.Keys.Where(k => !Known.Contains(k))) Fail(name, $"unknown parameter (known: {string.Join(", ", Known)})");

        var mode = options.Defaults.Mode;
        if (query["mode"].FirstOrDefault() is { } m && !Enum.TryParse(m, ignoreCase: true, out mode) || !Enum.IsDefined(mode))
            Fail("mode", "must be vector, fulltext or hybrid");
        var k = Int("k", options.Defaults.K);
        var ef = Int("ef_search", 100);
        var rrf = Int("rrf_k", options.Defaults.RrfK);
        var from = Day("from");
        var to = Day("to");
        var group = false;
        if (query["group"].FirstOrDefault() is { } g && !bool.TryParse(g, out group)) Fail("group", "must be true or false");

        var request = new SearchRequest
        {
            Query = query["q"].FirstOrDefault() ?? "", Mode = mode, K = k, Category = NullIfEmpty(query["category"].FirstOrDefault()),
            Theme = NullIfEmpty(query["theme"].FirstOrDefault()),
            From = from, To = to, GroupByDocument = group, EfSearch = ef, RrfK = rrf,
        };
        foreach (var (parameter, problem) in request.Problems()) errors[parameter] = [problem];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "Invalid search request", statusCode: StatusCodes.Status400BadRequest);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var vector = mode == SearchMode.Fulltext ? null : await embeddings.EmbedAsync(request.Query, cancellationToken).ConfigureAwait(false);
        var hits = await search.SearchAsync(request, vector, cancellationToken).ConfigureAwait(false);
        var results = hits.Select((h, i) => new SearchResult(i + 1, h.ChunkId, h.DocId, h.Title, h.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            h.Category, h.Theme, Math.Round(h.Score, 6), h.Ordinal, h.Text)).ToList();
        return Results.Ok(new SearchResponse(request.Query, mode.ToString().ToLowerInvariant(), k, Math.Round(clock.Elapsed.TotalMilliseconds, 1), results));

        int Int(string name, int fallback)
        {
            if (query[name].FirstOrDefault() is not { } text) return fallback;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
            Fail(name, "must be a whole number");
            return fallback;
        }

        DateOnly? Day(string name)
        {
            if (NullIfEmpty(query[name].FirstOrDefault()) is not { } text) return null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
            Fail(name, "must be a date in yyyy-MM-dd form");
            return null;
        }
    }

    /// <summary>GET /themes: the latest window's themes, largest first (empty before jobs-theme --pg has run).</summary>
    public static async Task<IResult> ThemesAsync(ThemeLoader themes, CancellationToken cancellationToken)
    {
        var latest = await themes.LatestAsync(cancellationToken).ConfigureAwait(false);
        return Results.Ok(latest.Select(t => new
        {
            id = t.ThemeId, label = t.Label, keywords = t.Keywords, size = t.Size, share = Math.Round(t.Share, 4),
            window_start = t.WindowStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), window_end = t.WindowEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }));
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
