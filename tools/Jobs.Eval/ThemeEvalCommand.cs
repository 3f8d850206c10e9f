using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Jobs.Chunk;
using Jobs.Contracts;
using Jobs.Embed;
using Jobs.Hosting;
using Jobs.Ingest;
using Jobs.Tables;
using Jobs.Theme;

namespace Jobs.Eval;

/// <summary>
/// <c>make eval-themes CSV=&lt;file&gt;</c>: labelled text through the real stages (ingest → chunk → embed → theme, one
/// window over a year, a scratch lake of its own), then one JSON object: agreement of the themes with the labels (NMI,
/// AMI, ARI; outliers count as one more cluster), keyword coherence (NPMI) and diversity, the outlier share, and the
/// same figures for a TF-IDF + k-means baseline with the same number of clusters, computed in the same run.
/// Arguments after <c>--</c> go to the theme stage (e.g. <c>-- --min-themes 4</c>).
/// </summary>
public static class ThemeEvalCommand
{
    private static readonly DateOnly FirstDay = new(2024, 1, 1);
    private const int Days = 366;

    public static async Task<int> RunAsync(string[] args)
    {
        var csvOption = new Option<string>("--csv") { Description = "CSV with label, title and text (or description) columns", Required = true };
        var reuse = new Option<bool>("--reuse-embeddings") { Description = "Only the theme stage runs, over the embeddings an earlier run left in the scratch lake" };
        var root = new RootCommand("Theme quality against labelled text, with a TF-IDF + k-means baseline") { csvOption, reuse };
        var split = Array.IndexOf(args, "--");
        var parse = root.Parse(split < 0 ? args : args[..split]);
        if (parse.Errors.Count > 0 || parse.Action is not null) return await parse.InvokeAsync();
        string[] themeArgs = split < 0 ? [] : args[(split + 1)..];

        var csv = LabelledCsv.Load(parse.GetValue(csvOption)!, FirstDay, Days);
        var scratch = Path.GetFullPath(Path.Combine(".lake", "eval-themes", csv.Name));
        var lake = Path.Combine(scratch, "lake");
        var source = Path.Combine(scratch, "source", csv.Name + ".jsonl");
        csv.WriteJsonLines(source);
        var log = Console.Error;
        await log.WriteLineAsync($"eval-themes: {csv.Name}: {csv.Records.Count} labelled records, {csv.Records.Select(r => r.Label).Distinct().Count()} labels; lake {lake}");

        // Each evaluation fits afresh: an earlier run's themes would otherwise be the warm start of this one.
        foreach (var table in new[] { LakeTables.Themes.Name, LakeTables.ChunkThemes.Name, LakeTables.ThemePeriods.Name })
            if (Directory.Exists(Path.Combine(lake, table))) Directory.Delete(Path.Combine(lake, table), recursive: true);
        var window = new DateChunk(FirstDay, FirstDay.AddDays(Days));
        string[] common = ["--start", Day(window.Start), "--end", Day(window.End), "--lake", lake];
        var clock = Stopwatch.StartNew();
        var quiet = new JobRunnerSettings { LogOutput = TextWriter.Null, JsonLogs = true };
        foreach (var (stage, stageArgs) in new (Stage, string[])[]
                 {
                     (new IngestStage(), [.. common, "--source", source, "--time-field", "timestamp", "--id-field", "id"]),
                     (new ChunkStage(), common), (new EmbedStage(), common), (new ThemeStage(), [.. common, .. themeArgs]),
                 })
        {
            if (parse.GetValue(reuse) && stage is not ThemeStage) continue;
            var code = await JobRunner.RunAsync(stage, stageArgs, quiet);
            await log.WriteLineAsync($"eval-themes: {stage.Name} exit {code} ({clock.Elapsed.TotalSeconds:F0} s)");
            if (code != ExitCodes.Success) return code;
        }

        var store = LakeServices.Open(lake);
        var themeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var c in store.ReadAsync(LakeTables.ChunkThemes, window, CancellationToken.None))
            themeOf.TryAdd(c.DocId, c.ThemeId ?? "outlier"); // short records: one chunk each (a longer one keeps its first)
        var themes = new List<ThemeRow>();
        await foreach (var t in store.ReadAllAsync(LakeTables.Themes, CancellationToken.None))
            if (t.Day == window.Start && t.Status == "active") themes.Add(t);
        var records = csv.Records.Where(r => themeOf.ContainsKey(r.Id)).ToList();
        var labels = records.Select(r => r.Label).ToList();
        var texts = records.Select(r => r.Text).ToList();
        IReadOnlyList<IReadOnlyList<string>> keywords = [.. themes.Select(t => (IReadOnlyList<string>)t.Keywords.Split(", ", StringSplitOptions.RemoveEmptyEntries))];
        var stageClusters = records.Select(r => themeOf[r.Id]).ToList();
        var themed = Figures(labels, stageClusters, keywords, texts);

        var baselineClusters = TfidfKMeansBaseline.Cluster(texts, themes.Count, seed: 42);
        var baselineWords = new Keywords(themes.Count, new ThemeOptions().MaxKeywordShare);
        for (var i = 0; i < texts.Count; i++) baselineWords.Add(baselineClusters[i], texts[i]);
        // The baseline's keywords are chosen the same way (c-TF-IDF candidates, coherent choice), so only the clustering differs.
        var wanted = keywords.Count == 0 ? 10 : keywords.Max(k => k.Count);
        var baselineCoherence = new KeywordCoherence(baselineWords.Top(wanted * 3));
        foreach (var text in texts) baselineCoherence.Add(text);
        var baseline = Figures(labels, [.. baselineClusters.Select(c => c.ToString(CultureInfo.InvariantCulture))], baselineCoherence.Choose(wanted), texts);
        await log.WriteLineAsync($"eval-themes: measured ({clock.Elapsed.TotalSeconds:F0} s)");

        Console.Out.WriteLine(JsonSerializer.Serialize(new
        {
            collection = csv.Name, records = csv.Records.Count, evaluated = records.Count, labels = labels.Distinct().Count(),
            themes = themes.Count, model = EmbeddingModels.Default.Id,
            outlier_share = Math.Round((double)stageClusters.Count(c => c == "outlier") / Math.Max(1, records.Count), 4),
            theme_stage = themed, tfidf_kmeans = baseline,
            nmi_gain = Math.Round(themed.nmi - baseline.nmi, 4),
            theme_keywords = themes.OrderByDescending(t => t.Size).Select(t => $"{t.Size}: {t.Keywords}").ToArray(),
        }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private sealed record Scores(double nmi, double ami, double ari, double npmi, double diversity);

    private static Scores Figures(List<string> labels, List<string> clusters, IReadOnlyList<IReadOnlyList<string>> keywords, List<string> texts)
    {
        var agreement = ClusterMetrics.Compare(labels, clusters);
        return new Scores(Math.Round(agreement.Nmi, 4), Math.Round(agreement.Ami, 4), Math.Round(agreement.Ari, 4),
            Math.Round(TopicMetrics.Npmi(keywords, texts), 4), Math.Round(TopicMetrics.Diversity(keywords), 4));
    }

    private static string Day(DateOnly day) => DateChunk.FormatDay(day);
}
