using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Jobs.Store;

/// <summary>
/// Vector, full-text and hybrid search over the serving tables, one round trip per query. Hybrid takes the top
/// candidates of each list and fuses them by reciprocal rank (score = Σ weight / (rrf_k + rank)); filters (category,
/// day range) apply inside each list, and pgvector's iterative index scan keeps a selective filter from starving the
/// vector list. Grouping keeps each document's best passage.
/// </summary>
public sealed class HybridSearch(NpgsqlDataSource dataSource)
{
    private const string Filters = """
        c.day >= @from AND c.day < @to AND (@category::text IS NULL OR c.category = @category) AND (@theme::text IS NULL OR c.theme_id = @theme)
        """;

    // The query vector is cast to the column's type (vector or halfvec), so each month partition's HNSW index serves
    // the ORDER BY; the day filter prunes the partitions outside it.
    private static string VectorList(string vectorType) => $"""
        vec AS (
            SELECT chunk_id, day, row_number() OVER (ORDER BY distance, chunk_id) AS rank, 1 - distance AS similarity
            FROM (SELECT c.chunk_id, c.day, c.embedding <=> @embedding::{vectorType} AS distance
                  FROM chunks c WHERE {Filters}
                  ORDER BY c.embedding <=> @embedding::{vectorType} LIMIT @candidates) v)
        """;

    // A plain-language query is a bag of words, not a boolean formula: its stemmed lexemes (stop words dropped, each
    // quoted so that no input is a syntax error) are OR-ed over the GIN index, and the passages that match are
    // ranked by BM25 (k1 1.2, b 0.75): each lexeme's idf from its document frequency (a GIN count; N from the
    // table's statistics, which load refreshes), its term frequency from the tsvector's positions, and the passage
    // length against the matching passages' average. PostgreSQL's own ts_rank knows no idf, and it shows (SciFact
    // nDCG@10: 0.40 with ts_rank_cd; see README).
    private const string TextList = $"""
        terms AS (
            SELECT DISTINCT l AS lexeme FROM unnest(tsvector_to_array(to_tsvector('english', @query))) l),
        tq AS (
            SELECT to_tsquery('simple', coalesce(string_agg(quote_literal(lexeme), ' | '), '')) AS q FROM terms),
        idf AS MATERIALIZED (
            SELECT lexeme, ln(1 + (greatest(n, df) - df + 0.5) / (df + 0.5)) AS idf
            FROM (SELECT t.lexeme,
                         (SELECT count(*) FROM chunks d WHERE d.tsv @@ to_tsquery('simple', quote_literal(t.lexeme)))::float8 AS df,
                         (SELECT sum(greatest(p.reltuples, 0)) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
                          WHERE i.inhparent = 'chunks'::regclass)::float8 AS n
                  FROM terms t) s),
        txt AS (
            SELECT chunk_id, day, row_number() OVER (ORDER BY score DESC, chunk_id) AS rank, score AS rank_cd
            FROM (SELECT chunk_id, day, sum(idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / avg_len))) AS score
                  FROM (SELECT c.chunk_id, c.day, i.idf, cardinality(u.positions)::float8 AS tf, c.token_count::float8 AS len,
                               avg(c.token_count::float8) OVER () AS avg_len
                        FROM chunks c CROSS JOIN tq
                        CROSS JOIN LATERAL unnest(c.tsv) u
                        JOIN idf i ON i.lexeme = u.lexeme
                        WHERE c.tsv @@ tq.q AND {Filters}) m
                  GROUP BY chunk_id, day
                  ORDER BY score DESC, chunk_id LIMIT @candidates) t)
        """;

    private static string Sql(SearchMode mode, bool group, string vectorType)
    {
        var (lists, scored) = mode switch
        {
            SearchMode.Vector => (VectorList(vectorType), "SELECT chunk_id, day, similarity AS score FROM vec"),
            SearchMode.Fulltext => (TextList, "SELECT chunk_id, day, rank_cd AS score FROM txt"),
            _ => ($"{VectorList(vectorType)},\n{TextList}", """
                SELECT chunk_id, day, sum(part) AS score FROM (
                    SELECT chunk_id, day, @wv / (@rrf + rank) AS part FROM vec
                    UNION ALL
                    SELECT chunk_id, day, @wt / (@rrf + rank) AS part FROM txt) f
                GROUP BY chunk_id, day
                """),
        };
        var ranked = group
            ? """
              SELECT * FROM (
                  SELECT s.chunk_id, s.day, s.score, row_number() OVER (PARTITION BY c.day, c.doc_id ORDER BY s.score DESC, s.chunk_id) AS nth
                  FROM scored s JOIN chunks c USING (chunk_id, day) WHERE c.day >= @from AND c.day < @to) g
              WHERE nth = 1
              """
            : "SELECT chunk_id, day, score FROM scored";
        return $"""
            WITH {lists},
            scored AS ({scored}),
            ranked AS ({ranked})
            SELECT c.chunk_id, c.doc_id, c.day, d.title, c.ordinal, c.text, r.score, d.category, c.theme_id
            FROM ranked r
            JOIN chunks c USING (chunk_id, day)
            JOIN documents d ON d.day = c.day AND d.doc_id = c.doc_id
            WHERE c.day >= @from AND c.day < @to -- repeated, so that the planner prunes the other months here too
            ORDER BY r.score DESC, c.chunk_id
            LIMIT @k
            """;
    }

    /// <param name="embedding">The query's embedding (with the model's query prefix); unused by full-text search.</param>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, float[]? embedding, CancellationToken cancellationToken = default)
    {
        var problems = request.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(request));
        if (request.Mode != SearchMode.Fulltext && embedding is null)
            throw new ArgumentException($"{request.Mode} search needs the query's embedding", nameof(embedding));

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var vectorType = await SearchSession.BeginAsync(connection, tx, Math.Max(request.EfSearch, Math.Min(request.Candidates, 1000)), cancellationToken)
            .ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(Sql(request.Mode, request.GroupByDocument, vectorType), connection, tx);
        var candidates = Math.Max(request.Candidates, request.GroupByDocument ? request.K * 5 : request.K);
        if (request.Mode != SearchMode.Fulltext) cmd.Parameters.AddWithValue("embedding", new Vector(embedding!));
        if (request.Mode != SearchMode.Vector) cmd.Parameters.AddWithValue("query", NpgsqlDbType.Text, request.Query);
        cmd.Parameters.AddWithValue("from", request.From ?? DateOnly.MinValue);
        cmd.Parameters.AddWithValue("to", request.To ?? DateOnly.MaxValue);
        cmd.Parameters.AddWithValue("category", NpgsqlDbType.Text, (object?)request.Category ?? DBNull.Value);
        cmd.Parameters.AddWithValue("theme", NpgsqlDbType.Text, (object?)request.Theme ?? DBNull.Value);
        cmd.Parameters.AddWithValue("candidates", Math.Min(candidates, 1000));
        cmd.Parameters.AddWithValue("k", request.K);
        if (request.Mode == SearchMode.Hybrid)
        {
            cmd.Parameters.AddWithValue("wv", request.VectorWeight);
            cmd.Parameters.AddWithValue("wt", request.TextWeight);
            cmd.Parameters.AddWithValue("rrf", (double)request.RrfK);
        }
        var hits = new List<SearchHit>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            hits.Add(new SearchHit(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4), reader.GetString(5), reader.GetDouble(6))
            {
                Category = reader.IsDBNull(7) ? null : reader.GetString(7),
                Theme = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        return hits;
    }
}
