using System.Globalization;

namespace Jobs.Store;

/// <summary>
/// The DDL of a chunks table, in one place: the served <c>chunks</c> and the side-by-side <c>chunks_next</c> of a
/// model being switched to have the same shape. Declaratively partitioned by month on <c>day</c> (the primary key
/// carries the partition key), every index is declared on the parent, so each monthly partition gets its own HNSW,
/// GIN and b-tree indexes when it is attached.
/// </summary>
internal static class ChunkTable
{
    /// <summary>The served table, searched by every query.</summary>
    public const string Served = "chunks";

    /// <summary>The table a model that is not (yet) served is loaded into, side by side; the switch renames it to <see cref="Served"/>.</summary>
    public const string Candidate = "chunks_next";

    /// <summary>The vector types pgvector stores: 4-byte floats, or 2-byte floats (half the size; HNSW up to 4,000 dimensions).</summary>
    public static readonly IReadOnlyList<string> VectorTypes = ["vector", "halfvec"];

    public static string Operators(string vectorType) => vectorType == "halfvec" ? "halfvec_cosine_ops" : "vector_cosine_ops";

    public static string CreateSql(string table, string vectorType, int dimensions) => $"""
        CREATE TABLE {table} (
            chunk_id     text        NOT NULL,
            doc_id       text        NOT NULL,
            day          date        NOT NULL,
            ordinal      integer     NOT NULL,
            text         text        NOT NULL,
            token_count  integer     NOT NULL,
            model        text        NOT NULL,
            category     text,
            embedding    {vectorType}({dimensions}) NOT NULL,
            tsv          tsvector    GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
            theme_id     text,
            content_hash text,
            PRIMARY KEY (chunk_id, day),
            FOREIGN KEY (day, doc_id) REFERENCES documents (day, doc_id) ON DELETE CASCADE
        ) PARTITION BY RANGE (day);
        """;

    /// <summary>The parent's indexes; on a table that already has partitions, each partition's index is built now.</summary>
    public static string IndexesSql(string table, string vectorType, int hnswM, int hnswEfConstruction) => $"""
        CREATE INDEX {table}_theme_idx ON {table} (theme_id);
        CREATE INDEX {table}_category_idx ON {table} (category, day);
        CREATE INDEX {table}_doc_idx ON {table} (day, doc_id);
        CREATE INDEX {table}_tsv_idx ON {table} USING gin (tsv);
        CREATE INDEX {table}_embedding_hnsw ON {table} USING hnsw (embedding {Operators(vectorType)})
            WITH (m = {hnswM}, ef_construction = {hnswEfConstruction});
        """;

    /// <summary>The columns a load writes (tsv is generated, theme_id belongs to the theme stage).</summary>
    public const string LoadColumns = "chunk_id, doc_id, day, ordinal, text, token_count, model, category, content_hash, embedding";

    /// <summary>The month partition of <paramref name="table"/> holding <paramref name="month"/> (its first day): chunks_p202403.</summary>
    public static string PartitionName(string table, DateOnly month) => $"{table}_p{month.ToString("yyyyMM", CultureInfo.InvariantCulture)}";

    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>The first days of the months [start, end) touches.</summary>
    public static IReadOnlyList<DateOnly> Months(DateOnly start, DateOnly end)
    {
        var months = new List<DateOnly>();
        for (var m = MonthOf(start); m < end; m = m.AddMonths(1)) months.Add(m);
        return months;
    }

    public static string Literal(DateOnly day) => "'" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'";
}
