using Jobs.Contracts;
using Jobs.Lake;

namespace Jobs.Tables;

/// <summary>The Delta tables of the lake and how their rows are partitioned (all by <c>day</c>).</summary>
public static class LakeTables
{
    public static readonly TableSpec<DocumentRow> Documents = ByDay<DocumentRow>("documents", r => r.Day, (r, d) => r.Day = d!.Value);
    public static readonly TableSpec<QuarantineRow> Quarantine = ByDay<QuarantineRow>("quarantine", r => r.Day, (r, d) => r.Day = d);
    public static readonly TableSpec<ChunkRow> Chunks = ByDay<ChunkRow>("chunks", r => r.Day, (r, d) => r.Day = d!.Value);
    public static readonly TableSpec<EmbeddingRow> Embeddings = ByDay<EmbeddingRow>("embeddings", r => r.Day, (r, d) => r.Day = d!.Value);
    public static readonly TableSpec<ThemeRow> Themes = ByDay<ThemeRow>("themes", r => r.Day, (r, d) => r.Day = d!.Value);
    public static readonly TableSpec<ChunkThemeRow> ChunkThemes = ByDay<ChunkThemeRow>("chunk_themes", r => r.Day, (r, d) => r.Day = d!.Value);
    public static readonly TableSpec<ThemePeriodRow> ThemePeriods = ByDay<ThemePeriodRow>("theme_periods", r => r.Day, (r, d) => r.Day = d!.Value);
    public static readonly TableSpec<DeadLetterRow> DeadLetters = ByDay<DeadLetterRow>("dead_letters", r => r.Day, (r, d) => r.Day = d!.Value);
    /// <summary>Vectors of an embed run not yet committed to <c>embeddings</c>, appended in bounded batches so a killed run resumes.</summary>
    public static readonly TableSpec<EmbeddingRow> EmbeddingProgress = ByDay<EmbeddingRow>("embedding_progress", r => r.Day, (r, d) => r.Day = d!.Value);
    public static readonly TableSpec<DqResultRow> DqResults = ByDay<DqResultRow>("dq_results", r => r.Day, (r, d) => r.Day = d!.Value);
    /// <summary>Every id candidate ingest accepted, per day: the registry that applies --duplicate-ids across date chunks.</summary>
    public static readonly TableSpec<DocumentIdRow> DocumentIds = ByDay<DocumentIdRow>("document_ids", r => r.Day, (r, d) => r.Day = d!.Value);

    private static TableSpec<T> ByDay<T>(string name, Func<T, DateOnly?> get, Action<T, DateOnly?> set) where T : class, new() =>
        new(name, [DayPartition.Definition],
            row => new Dictionary<string, string?> { [DayPartition.Column] = DayPartition.Format(get(row)) },
            (row, values) => set(row, DayPartition.Parse(values)));
}
