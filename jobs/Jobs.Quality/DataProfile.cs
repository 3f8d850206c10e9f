using Jobs.Contracts;
using Jobs.Tables;

namespace Jobs.Quality;

/// <summary>
/// An optional profile of the chunk's documents and chunks (validate --profile): null counts of the optional columns,
/// text length and token count distributions, and the most frequent categories. Built only when asked for, so it
/// costs nothing otherwise; it reports, it never fails a run.
/// </summary>
public sealed class DataProfile
{
    private readonly List<int> _textLengths = [];
    private readonly List<int> _tokenCounts = [];
    private readonly Dictionary<string, long> _categories = new(StringComparer.Ordinal);

    public long Documents { get; private set; }
    public long NullTitles { get; private set; }
    public long NullCategories { get; private set; }
    public long Chunks { get; private set; }

    public void AddDocument(DocumentRow doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        Documents++;
        if (doc.Title is null) NullTitles++;
        if (doc.Category is null) NullCategories++;
        else _categories[doc.Category] = _categories.GetValueOrDefault(doc.Category) + 1;
        _textLengths.Add(doc.Text.Length);
    }

    public void AddChunk(ChunkRow chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        Chunks++;
        _tokenCounts.Add(chunk.TokenCount);
    }

    /// <summary>Minimum, median, 95th percentile and maximum (nearest rank); zeros when empty.</summary>
    public (double Min, double P50, double P95, double Max) TextLength => Distribution(_textLengths);

    public (double Min, double P50, double P95, double Max) TokenCount => Distribution(_tokenCounts);

    /// <summary>The most frequent categories with their document counts, most frequent first.</summary>
    public IReadOnlyList<(string Category, long Documents)> TopCategories(int n) =>
        [.. _categories.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(n).Select(kv => (kv.Key, kv.Value))];

    private static (double, double, double, double) Distribution(List<int> values)
    {
        if (values.Count == 0) return (0, 0, 0, 0);
        var sorted = values.Select(v => (double)v).Order().ToList();
        return (sorted[0], Percentile.NearestRank(sorted, 50), Percentile.NearestRank(sorted, 95), sorted[^1]);
    }
}
