using Npgsql;

namespace Jobs.Store;

/// <summary>
/// The month partitions a load needs, created on demand inside its applying transaction. A missing month is created as
/// a plain table and attached (ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on the parent, so searches go on; CREATE
/// TABLE ... PARTITION OF would block them). When the load brings at least <see cref="StoreOptions.BulkIndexRows"/>
/// rows for the new month, the table is filled first and the attach then builds its indexes once, HNSW included, with
/// the configured maintenance_work_mem and parallel workers, instead of inserting row by row through the graph. New
/// months are created under an advisory lock, each name checked again once it is held, so parallel loads are idempotent.
/// </summary>
internal static class MonthPartitions
{
    private const long PartitionLockKey = 0x4A6F6273_00000005;

    /// <summary>A month this load creates; <paramref name="BulkRows"/> rows were copied into it before its indexes exist.</summary>
    public sealed record NewMonth(DateOnly Month, string Name, long BulkRows);

    public static async Task<IReadOnlyList<NewMonth>> PrepareAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, DateOnly start,
        DateOnly end, StoreOptions options, CancellationToken cancellationToken)
    {
        var months = ChunkTable.Months(start, end);
        if ((await MissingAsync(connection, tx, table, months, cancellationToken).ConfigureAwait(false)).Count == 0) return [];
        await Sql.ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", PartitionLockKey));
        var created = new List<NewMonth>();
        foreach (var month in await MissingAsync(connection, tx, table, months, cancellationToken).ConfigureAwait(false))
        {
            var name = ChunkTable.PartitionName(table, month);
            await Sql.ExecuteAsync(connection, tx, $"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING GENERATED)", cancellationToken);
            var range = $"day >= {ChunkTable.Literal(month)} AND day < {ChunkTable.Literal(month.AddMonths(1))}";
            long bulk = 0;
            if (await Sql.ScalarAsync<long>(connection, tx, $"SELECT count(*) FROM load_chunks WHERE {range}", cancellationToken) is var rows
                && rows > 0 && rows >= options.BulkIndexRows)
                bulk = await Sql.ExecuteAsync(connection, tx,
                    $"INSERT INTO {name} ({ChunkTable.LoadColumns}) SELECT {ChunkTable.LoadColumns} FROM load_chunks WHERE {range}", cancellationToken);
            created.Add(new NewMonth(month, name, bulk));
        }
        return created;
    }

    /// <summary>Attaches the new months (after the documents their rows reference are applied): each one's indexes are built now.</summary>
    public static async Task AttachAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, IReadOnlyList<NewMonth> created,
        StoreOptions options, CancellationToken cancellationToken)
    {
        if (created.Count == 0) return;
        // SET LOCAL takes no parameters; both values are validated options.
        await Sql.ExecuteAsync(connection, tx,
            $"SET LOCAL maintenance_work_mem = '{options.MaintenanceWorkMem}'; SET LOCAL max_parallel_maintenance_workers = {options.MaxParallelMaintenanceWorkers}",
            cancellationToken);
        foreach (var m in created)
            await Sql.ExecuteAsync(connection, tx,
                $"ALTER TABLE {table} ATTACH PARTITION {m.Name} FOR VALUES FROM ({ChunkTable.Literal(m.Month)}) TO ({ChunkTable.Literal(m.Month.AddMonths(1))})",
                cancellationToken);
    }

    private static async Task<List<DateOnly>> MissingAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, IReadOnlyList<DateOnly> months,
        CancellationToken cancellationToken)
    {
        var attached = new HashSet<string>(StringComparer.Ordinal);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand("""
            SELECT c.relname, EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = @table::regclass)
            FROM pg_class c WHERE c.relname = ANY(@names) AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = @table::regclass)
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("table", table);
            cmd.Parameters.AddWithValue("names", months.Select(m => ChunkTable.PartitionName(table, m)).ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                (reader.GetBoolean(1) ? attached : existing).Add(reader.GetString(0));
        }
        if (existing.Count > 0)
            throw new StoreSchemaException(
                $"{string.Join(", ", existing.Order(StringComparer.Ordinal))} exist but are not partitions of {table} (detached?): re-attach them (ALTER TABLE {table} ATTACH PARTITION ...) or drop them before loading these months again");
        return [.. months.Where(m => !attached.Contains(ChunkTable.PartitionName(table, m)))];
    }
}
