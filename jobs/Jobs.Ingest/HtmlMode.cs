namespace Jobs.Ingest;

/// <summary>When a text is reduced from HTML to plain text (<c>--html</c>).</summary>
public enum HtmlMode
{
    /// <summary>When the text looks like HTML: it holds a tag of HTML's own vocabulary (<see cref="HtmlText.LooksLikeHtml"/>).</summary>
    Auto,
    /// <summary>Always: every text is parsed as HTML (entities decoded even without tags).</summary>
    On,
    /// <summary>Never: markup is kept as written.</summary>
    Off,
}
