using Jobs.Chunk;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Lake;
using Jobs.Tables;
using Jobs.Testing;
using Jobs.Theme;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>The theme stage on real vectors of the sample (ten years of addresses), and its parts on known inputs.</summary>
public sealed class ThemeStageTests : IDisposable
{
    private readonly TempDirectory _lake = new("themes");
    private string[] Window => ["--start", "1961-01-01", "--end", "1971-01-01", "--lake", _lake.Path];

    private async Task<List<T>> Read<T>(TableSpec<T> spec) where T : class, new() =>
        await new DeltaTable<T>(_lake.Path, spec).ReadAsync(PartitionPredicate.All, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task Run_OnTenYearsOfAddresses_AssignsEveryChunkOnceLabelsThemesAndKeepsIdsOnARerun()
    {
        Assert.Equal(0, (await StageRun.RunAsync(new IngestStage(), [.. Window, "--source", SampleFiles.SotuJsonl, .. SampleFiles.SotuMapping])).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new ChunkStage(), Window)).ExitCode);
        Assert.Equal(0, (await StageRun.RunAsync(new EmbedStage(), Window)).ExitCode);

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

    public void Dispose() => _lake.Dispose();
}
