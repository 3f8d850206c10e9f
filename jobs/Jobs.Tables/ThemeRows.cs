using System.Text.Json.Serialization;

namespace Jobs.Tables;

/// <summary>
/// One theme of one window (Delta table <c>themes</c>, partitioned by the window's first day): its stable id, its
/// keywords, its centroid (to match the next run's themes), its size, and its most representative passages.
/// </summary>
public sealed class ThemeRow
{
    [JsonPropertyName("theme_id")] public string ThemeId { get; set; } = "";
    [JsonPropertyName("window")] public string Window { get; set; } = "";
    [JsonPropertyName("label")] public string Label { get; set; } = "";
    /// <summary>Distinctive keywords (class-based TF-IDF), most distinctive first, comma-separated.</summary>
    [JsonPropertyName("keywords")] public string Keywords { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("share")] public double Share { get; set; }
    /// <summary>active, or ended (a theme of the previous window that no longer has passages).</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "active";
    /// <summary>Chunk ids of the passages closest to the centroid, comma-separated.</summary>
    [JsonPropertyName("representatives")] public string Representatives { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("centroid")] public float[] Centroid { get; set; } = [];
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly Day { get; set; }
}

/// <summary>The theme of one chunk in one window (Delta table <c>chunk_themes</c>, partitioned by the chunk's day).</summary>
public sealed class ChunkThemeRow
{
    [JsonPropertyName("chunk_id")] public string ChunkId { get; set; } = "";
    [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";
    /// <summary>Null for an outlier (no theme is close enough).</summary>
    [JsonPropertyName("theme_id")] public string? ThemeId { get; set; }
    [JsonPropertyName("similarity")] public double Similarity { get; set; }
    [JsonPropertyName("window")] public string Window { get; set; } = "";
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly Day { get; set; }
}

/// <summary>A theme's size and keywords in one period of a window (Delta table <c>theme_periods</c>, by the window's first day).</summary>
public sealed class ThemePeriodRow
{
    [JsonPropertyName("theme_id")] public string ThemeId { get; set; } = "";
    [JsonPropertyName("window")] public string Window { get; set; } = "";
    /// <summary>The period's first day, yyyy-MM-dd (a month or an ISO week).</summary>
    [JsonPropertyName("period")] public string Period { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("keywords")] public string Keywords { get; set; } = "";
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";
    [JsonIgnore] public DateOnly Day { get; set; }
}
