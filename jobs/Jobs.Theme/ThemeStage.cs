using System.Globalization;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Store;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Theme;

/// <summary>
/// Finds the themes of a window (the date chunk: e.g. a month, or the last 12 months): fits them on a bounded random
/// sample of the window's vectors, assigns every chunk (outliers when no theme is close enough), labels each theme with
/// class-based TF-IDF keywords and its most central passages, keeps the ids of the previous run's themes, and counts
/// each theme per period. Replaces the window in <c>themes</c>, <c>chunk_themes</c> and <c>theme_periods</c>.
/// </summary>
public sealed class ThemeStage : Stage<ThemeWork>
{
    public override string Name => "theme";
    public override string Description => "Delta embeddings + chunks of a window → themes (k-means on a sample, keywords, stable ids, sizes per period)";
    public override IReadOnlyList<OptionsSection> Sections => [OptionsSection.Of<ThemeOptions>(ThemeOptions.Section), ModelServices.Section];

    /// <summary>With --pg (JOBS_PG), the window's themes are also loaded into the serving store (search by theme).</summary>
    public override void ConfigureServices(IServiceCollection services) =>
        services.AddLake().AddEmbeddingModel().AddStore(sp => sp.GetRequiredService<JobContext>().Postgres);
}

public sealed partial class ThemeWork(ThemeOptions options, EmbeddingModel model, LakeStore lake, JobContext context, IServiceProvider services,
    ILogger<ThemeWork> log) : IStageWork
{
    /// <summary>Candidates per keyword for the coherent choice (three times the keywords wanted).</summary>
    private const int KeywordCandidates = 3;

    private sealed record Assignment(int Theme, double Similarity, string DocId, DateOnly Day);

    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var window = context.Chunk;
        var key = $"{Day(window.Start)}_{Day(window.End)}";
        var windowPartition = new DateChunk(window.Start, window.Start.AddDays(1));

        // Pass 1: a reservoir sample of the window's vectors (memory bounded by the sample, not the window).
        var random = new Random(options.Seed);
        var sample = new List<float[]>();
        long vectors = 0;
        await foreach (var e in lake.ReadAsync(LakeTables.Embeddings, window, cancellationToken).ConfigureAwait(false))
        {
            if (e.Model != model.Id) continue;
            vectors++;
            if (sample.Count < options.SampleSize) sample.Add(e.Embedding);
            else if (random.NextInt64(vectors) is var slot && slot < options.SampleSize) sample[(int)slot] = e.Embedding;
        }
        if (sample.Count <= options.MinThemes)
        {
            TooFew(vectors, key);
            await lake.ReplaceAsync(LakeTables.ChunkThemes, window, AsyncEnumerable.Empty<ChunkThemeRow>(), cancellationToken).ConfigureAwait(false);
            await lake.ReplaceAsync(LakeTables.Themes, windowPartition, AsyncEnumerable.Empty<ThemeRow>(), cancellationToken).ConfigureAwait(false);
            await lake.ReplaceAsync(LakeTables.ThemePeriods, windowPartition, AsyncEnumerable.Empty<ThemePeriodRow>(), cancellationToken).ConfigureAwait(false);
            return StageResult.Of(vectors, ("vectors", vectors), ("themes", 0));
        }

        var previous = await PreviousThemesAsync(window, cancellationToken).ConfigureAwait(false);
        var fit = Clustering.Choose(sample, options.MinThemes, options.MaxThemes, options.Seed, [.. previous.Select(p => p.Centroid)]);
        Fitted(fit.Count, fit.Warm ? "warm start from the previous run" : "fresh fit", fit.Silhouette, sample.Count, string.Join(", ", fit.SilhouetteByCount.Select(kv => $"{kv.Key}: {kv.Value:F3}")));
        var threshold = options.OutlierSimilarity > 0
            ? options.OutlierSimilarity
            : Percentile.NearestRank(sample.Select(v => Clustering.Nearest(v, fit.Centroids).Similarity), 5);

        // Pass 2: every chunk of the window to its nearest theme, or none.
        var assigned = new Dictionary<string, Assignment>(StringComparer.Ordinal);
        var central = Enumerable.Range(0, fit.Count).Select(_ => new List<(double Similarity, string ChunkId)>()).ToArray();
        await foreach (var e in lake.ReadAsync(LakeTables.Embeddings, window, cancellationToken).ConfigureAwait(false))
        {
            if (e.Model != model.Id) continue;
            var (theme, similarity) = Clustering.Nearest(e.Embedding, fit.Centroids);
            if (similarity < threshold) theme = -1;
            assigned[e.ChunkId] = new Assignment(theme, similarity, e.DocId, e.Day);
            if (theme >= 0)
            {
                var list = central[theme];
                list.Add((similarity, e.ChunkId));
                if (list.Count > 3) list.Remove(list.MinBy(x => x.Similarity));
            }
        }

        // Pass 3: the passages' words, per theme and per period (and the central passages' text, for the report).
        var centralIds = central.SelectMany(c => c.Select(x => x.ChunkId)).ToHashSet(StringComparer.Ordinal);
        var centralText = new Dictionary<string, ChunkRow>(StringComparer.Ordinal);
        var keywords = new Keywords(fit.Count, options.MaxKeywordShare);
        var periods = new SortedDictionary<DateOnly, Keywords>();
        var periodSizes = new Dictionary<(int Theme, DateOnly Period), long>();
        await foreach (var c in lake.ReadAsync(LakeTables.Chunks, window, cancellationToken).ConfigureAwait(false))
        {
            if (!assigned.TryGetValue(c.ChunkId, out var a) || a.Theme < 0) continue;
            var terms = Keywords.Terms(c.Text).ToList(); // one passage's terms at a time: counted for the window and for its period
            keywords.Add(a.Theme, terms);
            if (centralIds.Contains(c.ChunkId)) centralText[c.ChunkId] = c;
            var period = PeriodOf(c.Day);
            if (!periods.TryGetValue(period, out var words)) periods[period] = words = new Keywords(fit.Count, options.MaxKeywordShare);
            words.Add(a.Theme, terms);
            periodSizes[(a.Theme, period)] = periodSizes.GetValueOrDefault((a.Theme, period)) + 1;
        }
        // Pass 4: of each theme's best c-TF-IDF candidates, the keywords that occur together (coherent labels).
        var coherence = new KeywordCoherence(keywords.Top(options.Keywords * KeywordCandidates));
        await foreach (var c in lake.ReadAsync(LakeTables.Chunks, window, cancellationToken).ConfigureAwait(false)) coherence.Add(c.Text);
        var top = coherence.Choose(options.Keywords);

        var (ids, ended) = ThemeMatcher.Match(fit.Centroids, previous, options.MatchSimilarity);
        for (var t = 0; t < ids.Length; t++)
            ids[t] ??= "theme-" + ContentHash.Of(key, t.ToString(CultureInfo.InvariantCulture), string.Join(',', top[t]))[..12];

        var sizes = new long[fit.Count];
        foreach (var a in assigned.Values) if (a.Theme >= 0) sizes[a.Theme]++;
        var outliers = assigned.Values.LongCount(a => a.Theme < 0);
        var themes = Enumerable.Range(0, fit.Count).Select(t => new ThemeRow
        {
            ThemeId = ids[t]!, Window = key, Label = string.Join(", ", top[t].Take(3)), Keywords = string.Join(", ", top[t]), Size = sizes[t],
            Share = assigned.Count == 0 ? 0 : (double)sizes[t] / assigned.Count, Status = "active",
            Representatives = string.Join(",", central[t].OrderByDescending(x => x.Similarity).Select(x => x.ChunkId)),
            Model = model.Id, Centroid = fit.Centroids[t], RunId = context.RunId, Day = window.Start,
        }).Concat(ended.Select(p => new ThemeRow
        {
            ThemeId = p.Id, Window = key, Status = "ended", Model = model.Id, Centroid = p.Centroid, RunId = context.RunId, Day = window.Start,
        })).ToList();

        await lake.ReplaceAsync(LakeTables.ChunkThemes, window, assigned.OrderBy(kv => kv.Value.Day).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ChunkThemeRow
            {
                ChunkId = kv.Key, DocId = kv.Value.DocId, ThemeId = kv.Value.Theme >= 0 ? ids[kv.Value.Theme] : null,
                Similarity = Math.Round(kv.Value.Similarity, 6), Window = key, RunId = context.RunId, Day = kv.Value.Day,
            }).ToAsyncEnumerable(), cancellationToken).ConfigureAwait(false);
        await lake.ReplaceAsync(LakeTables.Themes, windowPartition, themes.ToAsyncEnumerable(), cancellationToken).ConfigureAwait(false);
        await lake.ReplaceAsync(LakeTables.ThemePeriods, windowPartition, periods.SelectMany(p =>
        {
            var words = p.Value.Top(options.Keywords);
            return Enumerable.Range(0, fit.Count).Where(t => periodSizes.ContainsKey((t, p.Key))).Select(t => new ThemePeriodRow
            {
                ThemeId = ids[t]!, Window = key, Period = Day(p.Key), Size = periodSizes[(t, p.Key)], Keywords = string.Join(", ", words[t]),
                RunId = context.RunId, Day = window.Start,
            });
        }).ToAsyncEnumerable(), cancellationToken).ConfigureAwait(false);

        foreach (var t in themes.Where(t => t.Status == "active").OrderByDescending(t => t.Size)) Theme(t.ThemeId, t.Size, t.Keywords);
        if (options.Report is { } report)
        {
            var periodWords = periods.ToDictionary(p => p.Key, p => p.Value.Top(options.Keywords));
            await WriteReportAsync(report, new ThemeReport.Model(key, context.RunId, model.Id, assigned.Count, outliers, [.. periods.Keys],
                [.. Enumerable.Range(0, fit.Count).Select(t => new ThemeReport.Theme(ids[t]!, themes[t].Label, top[t], sizes[t], themes[t].Share,
                    [.. central[t].OrderByDescending(x => x.Similarity).Where(x => centralText.ContainsKey(x.ChunkId))
                        .Select(x => centralText[x.ChunkId]).Select(c => new ThemeReport.Passage(c.ChunkId, c.DocId, c.Day, c.Text))],
                    periodSizes.Where(kv => kv.Key.Theme == t).ToDictionary(kv => kv.Key.Period, kv => kv.Value),
                    periodWords.Where(kv => periodSizes.ContainsKey((t, kv.Key))).ToDictionary(kv => kv.Key, kv => string.Join(", ", kv.Value[t]))))],
                [.. ended.Select(e => e.Id)]), cancellationToken).ConfigureAwait(false);
        }
        if (context.PostgresOrNull is not null)
        {
            var loader = services.GetRequiredService<ThemeLoader>();
            await services.GetRequiredService<PgSchema>().EnsureAsync(cancellationToken).ConfigureAwait(false);
            var updated = await loader.ReplaceAsync(window.Start, window.End,
                [.. themes.Where(t => t.Status == "active").Select(t => new StoredTheme(t.ThemeId, window.Start, window.End, t.Label, t.Keywords, t.Size, t.Share))],
                assigned.Select(kv => (kv.Key, kv.Value.Theme >= 0 ? ids[kv.Value.Theme] : null)), cancellationToken).ConfigureAwait(false);
            LoadedThemes(updated);
        }
        return StageResult.Of(assigned.Count, ("chunks", assigned.Count), ("themes", fit.Count), ("outliers", outliers),
            ("matched", ids.Count(id => previous.Any(p => p.Id == id))), ("ended", ended.Count));
    }

    private async Task WriteReportAsync(string path, ThemeReport.Model report, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, ThemeReport.Render(report), cancellationToken).ConfigureAwait(false);
        WroteReport(full);
    }

    /// <summary>The active themes of the latest window starting at or before this one (this window's own previous run included).</summary>
    private async Task<IReadOnlyList<ThemeMatcher.Previous>> PreviousThemesAsync(DateChunk window, CancellationToken cancellationToken)
    {
        var rows = new List<ThemeRow>();
        await foreach (var t in lake.ReadAllAsync(LakeTables.Themes, cancellationToken).ConfigureAwait(false))
            if (t.Day <= window.Start && t.Status == "active" && t.Model == model.Id) rows.Add(t);
        if (rows.Count == 0) return [];
        var latest = rows.Max(t => t.Day);
        return [.. rows.Where(t => t.Day == latest).OrderBy(t => t.ThemeId, StringComparer.Ordinal).Select(t => new ThemeMatcher.Previous(t.ThemeId, t.Centroid))];
    }

    private DateOnly PeriodOf(DateOnly day) => options.Period == ThemePeriod.Month
        ? new DateOnly(day.Year, day.Month, 1)
        : day.AddDays(-(((int)day.DayOfWeek + 6) % 7)); // the ISO week's Monday

    private static string Day(DateOnly day) => DateChunk.FormatDay(day);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fitted {Themes} themes ({Start}) on {Sample} sampled vectors (silhouette {Silhouette:F3}; by count {ByCount})")]
    private partial void Fitted(int themes, string start, double silhouette, int sample, string byCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Theme {ThemeId}: {Size} passages; {Keywords}")]
    private partial void Theme(string themeId, long size, string keywords);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the themes into PostgreSQL: {Chunks} served chunks got their theme")]
    private partial void LoadedThemes(long chunks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote the report {Path}")]
    private partial void WroteReport(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Only {Vectors} vectors in window {Window}: no themes")]
    private partial void TooFew(long vectors, string window);
}
