using Jobs.Chunk;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Jobs.Theme;
using Microsoft.Playwright;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>The theme stage on real vectors of the sample (ten years of addresses), and its parts on known inputs.</summary>
public sealed class ThemeStageTests : IClassFixture<EmbeddedDecade>, IDisposable
{
    private readonly TempDirectory _lake = new("themes");
    private string[] Window => [.. EmbeddedDecade.Window, "--lake", _lake.Path];

    public ThemeStageTests(EmbeddedDecade decade) => decade.CopyTo(_lake.Path);

    private async Task<List<T>> Read<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(_lake.Path, spec).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task Run_OnTenYearsOfAddresses_AssignsEveryChunkOnceLabelsThemesAndKeepsIdsOnARerun()
    {
        var run = await StageRun.RunAsync(new ThemeStage(), [.. Window, "--max-themes", "6"]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var chunks = await Read(LakeTables.Chunks);
        var assigned = await Read(LakeTables.ChunkThemes);
        var themes = (await Read(LakeTables.Themes)).Where(t => t.Status == "active").ToList();

        // Every chunk of the window exactly once, against the chunks table's own count.
        Assert.Equal(chunks.Select(c => c.ChunkId).Order(), assigned.Select(a => a.ChunkId).Order());
        Assert.InRange(themes.Count, 2, 6);
        var outliers = assigned.Count(a => a.ThemeId is null);
        Assert.Equal(assigned.Count, themes.Sum(t => t.Size) + outliers);
        Assert.True(outliers <= 0.15 * assigned.Count, $"{outliers} outliers of {assigned.Count}");
        foreach (var theme in themes)
        {
            var keywords = theme.Keywords.Split(", ");
            Assert.True(keywords.Length >= 5, theme.Keywords);
            Assert.DoesNotContain(keywords, k => k is "the" or "and" or "our" or "we");
            var members = assigned.Where(a => a.ThemeId == theme.ThemeId).Select(a => a.ChunkId).ToHashSet();
            Assert.All(theme.Representatives.Split(','), id => Assert.Contains(id, members));
            Assert.Equal(384, theme.Centroid.Length);
        }
        var periods = await Read(LakeTables.ThemePeriods);
        foreach (var theme in themes) Assert.Equal(theme.Size, periods.Where(p => p.ThemeId == theme.ThemeId).Sum(p => p.Size));

        var again = await StageRun.RunAsync(new ThemeStage(), [.. Window, "--max-themes", "6"]);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Log);
        var rerun = (await Read(LakeTables.Themes)).Where(t => t.Status == "active").ToList();
        Assert.Equal(themes.Select(t => t.ThemeId).Order(), rerun.Select(t => t.ThemeId).Order());
        Assert.Equal(assigned.Count, (await Read(LakeTables.ChunkThemes)).Count); // replaced, not appended
        Assert.Equal(themes.Count, again.Counts["matched"]);
    }

    [Fact]
    public async Task NewThemeInTheData_KeepsTheOldThemesIdsAndGivesTheNewOneANewId()
    {
        var first = await StageRun.RunAsync(new ThemeStage(), [.. Window, "--min-themes", "4", "--max-themes", "4"]);
        Assert.True(first.ExitCode == ExitCodes.Success, first.Log);
        var before = (await Read(LakeTables.Themes)).Where(t => t.Status == "active").Select(t => t.ThemeId).ToHashSet();
        Assert.Equal(4, before.Count);

        // Sixty sports reports (AG News, label 2) arrive in June 1965, a month without an address: a subject the
        // addresses never had.
        var month = new[] { "--start", "1965-06-01", "--end", "1965-07-01", "--lake", _lake.Path };
        var sports = _lake.Combine("sports.jsonl");
        var written = AgNews.WriteJsonLines(sports, label: "2", count: 60, firstDay: new DateOnly(1965, 6, 1));
        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), [.. month, "--source", sports])).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), month)).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new EmbedStage(), month)).ExitCode);

        var second = await StageRun.RunAsync(new ThemeStage(), [.. Window, "--min-themes", "5", "--max-themes", "5"]);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Log);
        var after = (await Read(LakeTables.Themes)).Where(t => t.Status == "active").ToList();
        Assert.Equal(5, after.Count);
        Assert.True(before.IsSubsetOf(after.Select(t => t.ThemeId)), // every old theme kept its id
            $"before: {string.Join(" | ", ThemeLines(first))}\nafter: {string.Join(" | ", ThemeLines(second))}");
        var added = Assert.Single(after, t => !before.Contains(t.ThemeId));
        var assigned = await Read(LakeTables.ChunkThemes);
        var members = assigned.Where(c => c.ThemeId == added.ThemeId).ToList();
        var sportsIn = members.Count(c => written.Contains(c.DocId));
        var sportsAll = assigned.Count(c => written.Contains(c.DocId));
        Assert.Equal(written.Count, sportsAll);
        Assert.True(sportsIn >= 0.9 * members.Count, $"the new theme is the sports reports: {sportsIn} of its {members.Count} passages ({added.Keywords})");
        Assert.True(sportsIn >= 0.6 * sportsAll, $"{sportsIn} of {sportsAll} sports passages in the new theme ({added.Keywords})");
        Assert.Equal(0, second.Counts["ended"]);
    }

    private static IEnumerable<string> ThemeLines(StageRunResult run) =>
        run.Log.Split('\n').Where(l => l.Contains("passages;", StringComparison.Ordinal) || l.Contains("Fitted", StringComparison.Ordinal));

    [Fact]
    public async Task Report_OpensOfflineInHeadlessChromiumWithEveryThemeAndItsCharts()
    {
        var report = _lake.Combine("report", "themes.html");
        var run = await StageRun.RunAsync(new ThemeStage(), [.. Window, "--max-themes", "6", "--period", "month", "--report", report]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Log);
        var themes = (await Read(LakeTables.Themes)).Where(t => t.Status == "active").ToList();
        var periods = (await Read(LakeTables.ThemePeriods)).Select(p => p.Period).Distinct().Count();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);
        await page.GotoAsync(new Uri(report).AbsoluteUri);
        Assert.Contains("1961-01-01_1971-01-01", await page.Locator("h1").InnerTextAsync());
        Assert.Equal(themes.Count, await page.Locator("section.theme").CountAsync());
        Assert.Equal(themes.Count, await page.Locator("#over-time polyline.series").CountAsync());
        foreach (var theme in themes)
        {
            var section = page.Locator($"section.theme[id='{theme.ThemeId}']");
            Assert.Contains(theme.Keywords, await section.Locator(".kw").InnerTextAsync());
            Assert.Equal(periods, await section.Locator("svg.bars rect").CountAsync());
            Assert.True(await section.Locator("blockquote").CountAsync() >= 1, $"{theme.ThemeId} shows its central passages");
            var box = await section.Locator("svg.bars").BoundingBoxAsync();
            Assert.True(box is { Width: > 100, Height: > 50 }, "the chart is drawn");
        }
        Assert.All(requested, url => Assert.StartsWith("file://", url)); // nothing fetched from anywhere: opens offline
        var shot = await HeadlessChromium.ScreenshotAsync(page, "theme-report.png", fullPage: true);
        Assert.True(new FileInfo(shot).Length > 20_000);
    }

    [Fact]
    public void Match_KeepsTheIdsOfSimilarThemesGivesNewOnesNoneAndEndsTheRest()
    {
        float[] x = [1, 0, 0], y = [0, 1, 0], z = [0, 0, 1];
        var previous = new[] { new ThemeMatcher.Previous("a", x), new ThemeMatcher.Previous("b", y) };
        float[][] current = [Clustering.Unit([0.1f, 1, 0]), z, Clustering.Unit([1, 0.05f, 0])];
        var (ids, ended) = ThemeMatcher.Match(current, previous, 0.9);
        Assert.Equal(["b", null, "a"], ids);
        Assert.Empty(ended);
        var (again, gone) = ThemeMatcher.Match([z], previous, 0.9);
        Assert.Equal([null], again);
        Assert.Equal(["a", "b"], gone.Select(p => p.Id));
    }

    [Fact]
    public void Keywords_AreTheDistinctiveWordsAndBigramsOfEachTheme()
    {
        var k = new Keywords(2);
        k.Add(0, "The budget deficit grew. We must cut the budget deficit and the federal budget deficit, and taxes.");
        k.Add(1, "Space exploration and the moon landing: the space program will reach the moon, and space science grows.");
        var top = k.Top(3);
        Assert.Contains("budget deficit", top[0]);
        Assert.Contains("space", top[1]);
        Assert.DoesNotContain(top[0], w => w.Contains("space", StringComparison.Ordinal) || w == "the");
    }

    [Fact]
    public void Coherence_PrefersKeywordsThatOccurTogetherOverADistinctiveLoner()
    {
        // Candidates in c-TF-IDF order: "fullquote" ranks second but never shares a passage with the others.
        var coherence = new KeywordCoherence([["oil", "fullquote", "prices", "crude"]]);
        foreach (var text in new[] { "oil prices rise", "crude oil prices", "oil and crude", "see fullquote", "prices of crude oil", "weather" })
            coherence.Add(text);
        Assert.Equal(["oil", "prices", "crude"], coherence.Choose(3)[0]);
        Assert.Equal(-1, coherence.Npmi(0, 0, 1));
    }

    public void Dispose() => _lake.Dispose();
}
