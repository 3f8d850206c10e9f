using Npgsql;
using NpgsqlTypes;

namespace Jobs.Store;

/// <summary>A theme as served: its id, label and keywords, and its size in the window.</summary>
public sealed record StoredTheme(string ThemeId, DateOnly WindowStart, DateOnly WindowEnd, string Label, string Keywords, long Size, double Share);

/// <summary>
/// Replaces one window's themes in the serving store in one transaction: the window's theme rows, and the theme of
/// every chunk of the window (null for outliers), so that search can filter by theme and the page can list them.
/// </summary>
public sealed class ThemeLoader(NpgsqlDataSource dataSource)
{
    private const long ThemeLockNamespace = 0x4A6F6273_00000003;

    public async Task<long> ReplaceAsync(DateOnly start, DateOnly end, IReadOnlyList<StoredTheme> themes,
        IEnumerable<(string ChunkId, string? ThemeId)> assignments, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(@key);
            DELETE FROM themes WHERE window_start = @start;
            UPDATE chunks SET theme_id = NULL WHERE day >= @start AND day < @end AND theme_id IS NOT NULL;
            CREATE TEMP TABLE chunk_theme_load (chunk_id text PRIMARY KEY, theme_id text) ON COMMIT DROP;
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("key", ThemeLockNamespace ^ start.DayNumber);
            cmd.Parameters.AddWithValue("start", start);
            cmd.Parameters.AddWithValue("end", end);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY themes (theme_id, window_start, window_end, label, keywords, size, share) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var t in themes)
            {
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(t.ThemeId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(t.WindowStart, NpgsqlDbType.Date, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(t.WindowEnd, NpgsqlDbType.Date, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(t.Label, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(t.Keywords, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(t.Size, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(t.Share, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY chunk_theme_load (chunk_id, theme_id) FROM STDIN (FORMAT BINARY)", cancellationToken)
            .ConfigureAwait(false))
        {
            foreach (var (chunkId, themeId) in assignments)
            {
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(chunkId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(themeId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        long updated;
        await using (var cmd = new NpgsqlCommand("""
            UPDATE chunks c SET theme_id = l.theme_id FROM chunk_theme_load l
            WHERE c.chunk_id = l.chunk_id AND c.day >= @start AND c.day < @end
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("start", start);
            cmd.Parameters.AddWithValue("end", end);
            updated = await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>The themes of the latest window, largest first.</summary>
    public async Task<IReadOnlyList<StoredTheme>> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT theme_id, window_start, window_end, label, keywords, size, share FROM themes
            WHERE window_start = (SELECT max(window_start) FROM themes)
            ORDER BY size DESC, theme_id
            """);
        var themes = new List<StoredTheme>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            themes.Add(new StoredTheme(reader.GetString(0), reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateOnly>(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt64(5), reader.GetDouble(6)));
        return themes;
    }
}
