using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Jobs.Ingest;

/// <summary>
/// HTML reduced to the text a reader sees, parsed by AngleSharp as a browser would (HTML5 error recovery, every named
/// and numeric entity): tags removed, entities decoded, block elements and &lt;br&gt; as line breaks, paragraphs and
/// headings as blank lines, table cells apart by a space; script, style, template, head and comments dropped; &lt;pre&gt;
/// keeps its line breaks. With <c>dropQuotes</c>, quoted mail (&lt;blockquote&gt;, Gmail's and Yahoo's quote blocks)
/// is dropped too. The output is raw text for <see cref="TextNormalizer"/>, which then collapses the whitespace.
/// </summary>
public static partial class HtmlText
{
    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "script", "style", "template", "head", "noscript", "iframe", "object", "svg", "math" };

    private static readonly HashSet<string> Paragraphs = new(StringComparer.Ordinal)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "figure", "hr",
    };

    private static readonly HashSet<string> Lines = new(StringComparer.Ordinal)
    {
        "div", "section", "article", "header", "footer", "main", "aside", "nav", "address", "li", "dt", "dd", "tr",
        "caption", "figcaption", "form", "fieldset", "legend", "details", "summary", "center", "body", "html", "option",
    };

    private static readonly HashSet<string> QuoteClasses = new(StringComparer.Ordinal) { "gmail_quote", "yahoo_quoted", "moz-cite-prefix" };

    /// <summary>
    /// Whether the text is HTML rather than prose that happens to hold angle brackets: it has a start or end tag
    /// (or a doctype) whose name is HTML's, so "a &lt; b", "&lt;3" and "&lt;john@example.com&gt;" are not HTML.
    /// </summary>
    public static bool LooksLikeHtml(string text) => text.Contains('<', StringComparison.Ordinal) && Tag().IsMatch(text);

    public static string ToText(string html, bool dropQuotes = false)
    {
        var document = new HtmlParser().ParseDocument(html);
        var text = new Output(new StringBuilder(html.Length));
        if (document.DocumentElement is { } root) Append(root, text, dropQuotes, preformatted: false);
        return text.Text.ToString();
    }

    /// <summary>The text so far and the line breaks owed to it: adjacent block boundaries give the larger break, not the sum.</summary>
    private sealed class Output(StringBuilder text)
    {
        private int _pendingBreaks;

        public StringBuilder Text { get; } = text;

        public void Break(int lines) => _pendingBreaks = Math.Max(_pendingBreaks, lines);

        public void Append(string value)
        {
            if (value.Length == 0 || (_pendingBreaks > 0 && string.IsNullOrWhiteSpace(value))) return;
            if (_pendingBreaks > 0 && Text.Length > 0) Text.Append('\n', _pendingBreaks);
            _pendingBreaks = 0;
            Text.Append(value);
        }
    }

    private static void Append(INode node, Output text, bool dropQuotes, bool preformatted)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(preformatted ? t.Data : Whitespace().Replace(t.Data, " "));
                    break;
                case IElement e:
                    var name = e.LocalName;
                    if (Dropped.Contains(name)) break;
                    if (dropQuotes && (name == "blockquote" || e.ClassList.Any(QuoteClasses.Contains))) break;
                    if (name == "br")
                    {
                        text.Append("\n");
                        break;
                    }
                    var breaks = Paragraphs.Contains(name) ? 2 : Lines.Contains(name) ? 1 : 0;
                    var cell = name is "td" or "th";
                    if (breaks > 0) text.Break(breaks);
                    if (cell) text.Append(" ");
                    if (name == "img" && e.GetAttribute("alt") is { Length: > 0 } alt) text.Append(alt);
                    Append(e, text, dropQuotes, preformatted || name is "pre" or "textarea");
                    if (breaks > 0) text.Break(breaks);
                    if (cell) text.Append(" ");
                    break;
            }
        }
    }

    [GeneratedRegex(@"<(?:!doctype\s+html|/?(?:html|head|body|p|br|div|span|a|b|i|u|em|strong|font|table|thead|tbody|tr|td|th|ul|ol|li|dl|dt|dd|h[1-6]|blockquote|pre|code|img|hr|script|style|meta|link|title|section|article|header|footer|nav|center|small|big|sub|sup|tt)(?:\s[^<>]*)?/?)>",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
