using System.Globalization;
using System.Net;
using System.Text;

namespace Jobs.Theme;

/// <summary>
/// The run's themes as one static HTML file (<c>--report PATH</c>): for each theme its keywords, size, most central
/// passages and size per period as an inline SVG chart, plus one chart of every theme over time. No script, no
/// external resource: it opens offline in any browser and can be mailed or archived as it is.
/// </summary>
public static class ThemeReport
{
    public sealed record Passage(string ChunkId, string DocId, DateOnly Day, string Text);

    public sealed record Theme(string Id, string Label, IReadOnlyList<string> Keywords, long Size, double Share,
        IReadOnlyList<Passage> Passages, IReadOnlyDictionary<DateOnly, long> SizeByPeriod, IReadOnlyDictionary<DateOnly, string> KeywordsByPeriod);

    public sealed record Model(string Window, string RunId, string EmbeddingModel, long Chunks, long Outliers, IReadOnlyList<DateOnly> Periods,
        IReadOnlyList<Theme> Themes, IReadOnlyList<string> Ended);

    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];

    private const int PassageChars = 600;

    public static string Render(Model model)
    {
        var html = new StringBuilder();
        var themes = model.Themes.OrderByDescending(t => t.Size).ToList();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Themes {{E(model.Window)}}</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;padding:0 1rem}
            h1{font-size:1.5rem} .meta{color:#555} section.theme{border-top:1px solid #ddd;padding:1rem 0}
            .kw{font-weight:600} .swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;vertical-align:-.1em}
            blockquote{margin:.5rem 0;padding:.4rem .8rem;background:#f6f6f6;border-left:3px solid #ccc;white-space:pre-wrap}
            .ref{color:#666;font-size:.85em} svg text{font-size:11px;fill:#444} table{border-collapse:collapse;font-size:.9em}
            td,th{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
            </style></head><body>
            <h1>Themes of {{E(model.Window)}}</h1>
            <p class="meta">{{themes.Count}} themes over {{model.Chunks:N0}} passages; {{model.Outliers:N0}} outliers ({{Share(model.Outliers, model.Chunks)}}) fit no theme.
            Run {{E(model.RunId)}}, model {{E(model.EmbeddingModel)}}.</p>
            <h2>Themes over time</h2>
            """);
        html.Append(OverTime(model.Periods, themes));
        html.Append("<div id=\"legend\">");
        for (var i = 0; i < themes.Count; i++)
            html.Append(CultureInfo.InvariantCulture, $"<span><span class=\"swatch\" style=\"background:{Color(i)}\"></span>{E(themes[i].Label)}</span> &nbsp; ");
        html.Append("</div>");

        for (var i = 0; i < themes.Count; i++)
        {
            var t = themes[i];
            html.Append(CultureInfo.InvariantCulture, $"""
                <section class="theme" id="{E(t.Id)}">
                <h2><span class="swatch" style="background:{Color(i)}"></span>{E(t.Label)}</h2>
                <p><span class="kw">{E(string.Join(", ", t.Keywords))}</span></p>
                <p class="meta">{E(t.Id)} · {t.Size:N0} passages ({t.Share.ToString("P1", CultureInfo.InvariantCulture)})</p>
                """);
            html.Append(Bars(model.Periods, t, Color(i)));
            foreach (var p in t.Passages)
                html.Append(CultureInfo.InvariantCulture, $"<blockquote>{E(Shorten(p.Text))}<div class=\"ref\">{E(p.DocId)} · {p.Day:yyyy-MM-dd}</div></blockquote>");
            var periodWords = model.Periods.Where(t.KeywordsByPeriod.ContainsKey).ToList();
            if (periodWords.Count > 0)
            {
                html.Append("<details><summary>Keywords by period</summary><table><tr><th>Period</th><th>Passages</th><th>Keywords</th></tr>");
                foreach (var period in periodWords)
                    html.Append(CultureInfo.InvariantCulture, $"<tr><td>{period:yyyy-MM-dd}</td><td>{t.SizeByPeriod.GetValueOrDefault(period):N0}</td><td>{E(t.KeywordsByPeriod[period])}</td></tr>");
                html.Append("</table></details>");
            }
            html.Append("</section>");
        }
        if (model.Ended.Count > 0)
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>Ended</h2><p class=\"meta\">Themes of the previous run with no match in this one: {E(string.Join(", ", model.Ended))}</p></section>");
        html.Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>Every theme's size per period, one line each.</summary>
    private static string OverTime(IReadOnlyList<DateOnly> periods, IReadOnlyList<Theme> themes)
    {
        const int width = 900, height = 260, left = 50, bottom = 30, top = 10;
        var max = Math.Max(1, themes.SelectMany(t => t.SizeByPeriod.Values).DefaultIfEmpty(1).Max());
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=\"over-time\" role=\"img\" aria-label=\"Passages per theme and period\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        svg.Append(Axes(periods, max, width, height, left, bottom, top));
        for (var i = 0; i < themes.Count; i++)
        {
            var points = string.Join(' ', periods.Select((p, x) => F(X(x, periods.Count, width, left)) + "," + F(Y(themes[i].SizeByPeriod.GetValueOrDefault(p), max, height, bottom, top))));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" fill=\"none\" stroke=\"{Color(i)}\" stroke-width=\"2\" points=\"{points}\"><title>{E(themes[i].Label)}</title></polyline>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>One theme's size per period as bars.</summary>
    private static string Bars(IReadOnlyList<DateOnly> periods, Theme theme, string color)
    {
        const int width = 900, height = 140, left = 50, bottom = 30, top = 10;
        var max = Math.Max(1, theme.SizeByPeriod.Values.DefaultIfEmpty(1).Max());
        var bar = Math.Max(1.0, (width - left - 10.0) / Math.Max(1, periods.Count) - 2);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"bars\" role=\"img\" aria-label=\"Passages per period\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        svg.Append(Axes(periods, max, width, height, left, bottom, top));
        for (var x = 0; x < periods.Count; x++)
        {
            var n = theme.SizeByPeriod.GetValueOrDefault(periods[x]);
            var y = Y(n, max, height, bottom, top);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(X(x, periods.Count, width, left) - bar / 2)}\" y=\"{F(y)}\" width=\"{F(bar)}\" height=\"{F(height - bottom - y)}\" fill=\"{color}\"><title>{periods[x]:yyyy-MM-dd}: {n:N0}</title></rect>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string Axes(IReadOnlyList<DateOnly> periods, long max, int width, int height, int left, int bottom, int top)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - 5}\" y2=\"{height - bottom}\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{top + 10}\" text-anchor=\"end\">{max:N0}</text><text x=\"{left - 6}\" y=\"{height - bottom}\" text-anchor=\"end\">0</text>");
        var every = Math.Max(1, (int)Math.Ceiling(periods.Count / 12.0));
        for (var x = 0; x < periods.Count; x += every)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(x, periods.Count, width, left))}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{periods[x]:yyyy-MM}</text>");
        return svg.ToString();
    }

    private static double X(int index, int count, int width, int left) => left + 10 + (width - left - 20.0) * (count <= 1 ? 0.5 : (double)index / (count - 1));
    private static double Y(long value, long max, int height, int bottom, int top) => height - bottom - (height - bottom - top) * (double)value / max;
    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    private static string Color(int i) => Palette[i % Palette.Length];
    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string Share(long part, long all) => all == 0 ? "0%" : ((double)part / all).ToString("P1", CultureInfo.InvariantCulture);
    private static string Shorten(string text) => text.Length <= PassageChars ? text : string.Concat(text.AsSpan(0, PassageChars), "…");
}
