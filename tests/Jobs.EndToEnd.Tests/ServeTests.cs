using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.LocalRun;
using Jobs.Serve;
using Jobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using Xunit;

namespace Jobs.EndToEnd.Tests;

/// <summary>
/// jobs-serve on loopback over a store the real pipeline loaded (six addresses, 1961–1965): the JSON API, problem
/// details, the OpenAPI document, the API key, and the web page driven in Debian's headless Chromium.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ServeTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string ApiKey = "test-key-not-a-secret";
    private readonly TempDirectory _lake = new("serve-lake");
    private WebApplication? _app;
    private string _pg = "";
    private Uri _base = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _pg = await LocalPostgres.DatabaseAsync(postgres.ConnectionString, "e2e_serve", fresh: true, ct);
        var chunks = DateChunkPlanner.Split(new DateOnly(1961, 1, 1), new DateOnly(1966, 1, 1), days: 5 * 366);
        string[] sources = ["--source", Path.Combine(RepoPaths.Samples, "sotu", "sotu.csv"), "--time-field", "date", "--category-field", "party"];
        foreach (var step in PipelinePlan.For(chunks, _lake.Path, _pg, sources))
        {
            var run = await StageRun.RunAsync(step.Stage, step.Args);
            Assert.True(run.ExitCode == ExitCodes.Success, $"{step.Stage.Name}: {run.Log}");
        }
        var theme = await StageRun.RunAsync(new Jobs.Theme.ThemeStage(), "--start", "1961-01-01", "--end", "1966-01-01", "--lake", _lake.Path, "--pg", _pg,
            "--min-themes", "2", "--max-themes", "4");
        Assert.True(theme.ExitCode == ExitCodes.Success, theme.Log);
        _app = ServeApp.Build([$"--Pg={_pg}", "--Serve:Urls=http://127.0.0.1:0", $"--Serve:ApiKey={ApiKey}"]);
        await _app.StartAsync(ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _base = new Uri(address);
        Assert.Equal("127.0.0.1", _base.Host);
    }

    private HttpClient Client(bool withKey = true)
    {
        var client = new HttpClient { BaseAddress = _base };
        if (withKey) client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    [Fact]
    public async Task Search_ReturnsRankedPassagesWithTheirDocumentAndFilters()
    {
        using var client = Client();
        foreach (var mode in new[] { "vector", "fulltext", "hybrid" })
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"/search?q=declaring%20an%20unconditional%20war%20on%20poverty&mode={mode}&k=3",
                TestContext.Current.CancellationToken);
            var results = body.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(3, results.Count);
            Assert.Equal("sotu-1964-johnson", results[0].GetProperty("docId").GetString());
            Assert.Equal("1964-01-31", results[0].GetProperty("day").GetString());
            Assert.Equal("Democratic", results[0].GetProperty("category").GetString());
            Assert.Equal(mode, body.GetProperty("mode").GetString());
        }
        var filtered = await client.GetFromJsonAsync<JsonElement>("/search?q=space&category=Republican&from=1961-01-01&to=1962-01-01&k=5&group=true",
            TestContext.Current.CancellationToken);
        var hit = Assert.Single(filtered.GetProperty("results").EnumerateArray());
        Assert.Equal("sotu-1961-eisenhower", hit.GetProperty("docId").GetString());
    }

    [Fact]
    public async Task Themes_AreListedAndFilterTheSearch()
    {
        using var client = Client();
        var themes = (await client.GetFromJsonAsync<JsonElement>("/themes", TestContext.Current.CancellationToken)).EnumerateArray().ToList();
        Assert.InRange(themes.Count, 2, 4);
        Assert.All(themes, t => Assert.False(string.IsNullOrEmpty(t.GetProperty("label").GetString())));
        foreach (var theme in themes)
        {
            var id = theme.GetProperty("id").GetString()!;
            var body = await client.GetFromJsonAsync<JsonElement>($"/search?q=the%20economy&mode=vector&k=20&theme={id}", TestContext.Current.CancellationToken);
            var results = body.GetProperty("results").EnumerateArray().ToList();
            Assert.NotEmpty(results);
            Assert.All(results, r => Assert.Equal(id, r.GetProperty("theme").GetString()));
        }
    }

    [Theory]
    [InlineData("/search?q=", "q")]
    [InlineData("/search?q=x&k=0", "k")]
    [InlineData("/search?q=x&k=many", "k")]
    [InlineData("/search?q=x&mode=semantic", "mode")]
    [InlineData("/search?q=x&from=1964-13-01", "from")]
    [InlineData("/search?q=x&from=1965-01-01&to=1964-01-01", "to")]
    [InlineData("/search?q=x&colour=red", "colour")]
    public async Task Search_BadInput_Is400ProblemDetailsNamingTheParameter(string url, string parameter)
    {
        using var client = Client();
        var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Fact]
    public async Task Search_WithoutTheApiKey_Is401AndProbesAndOpenApiAreServed()
    {
        using var anonymous = Client(withKey: false);
        var refused = await anonymous.GetAsync("/search?q=poverty", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);
        var openApi = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/search", out _), openApi.ToString());
    }

    [Fact]
    public async Task Page_InHeadlessChromium_ShowsHighlightedResults()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new() { ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Api-Key"] = ApiKey } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_base.ToString());
        await page.FillAsync("#q", "war on poverty");
        await page.SelectOptionAsync("#mode", "hybrid");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("li.hit");
        Assert.True(await page.Locator("#theme option").CountAsync() >= 3, "the theme browser lists the themes"); // "any" + 2..4 themes
        var hits = await page.Locator("li.hit").CountAsync();
        Assert.Equal(10, hits);
        var first = await page.Locator("li.hit").First.InnerTextAsync();
        Assert.Contains("1964", first);
        var marked = await page.Locator("li.hit mark").AllInnerTextsAsync();
        Assert.Contains(marked, m => m.StartsWith("povert", StringComparison.OrdinalIgnoreCase));
        var shot = await HeadlessChromium.ScreenshotAsync(page, "serve-search.png");
        Assert.True(new FileInfo(shot).Length > 10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _lake.Dispose();
    }
}
