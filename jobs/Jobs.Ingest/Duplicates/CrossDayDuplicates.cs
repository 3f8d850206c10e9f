using Jobs.Contracts;
using Jobs.Lake;
using Jobs.Tables;
using Microsoft.Extensions.Logging;

namespace Jobs.Ingest.Duplicates;

/// <summary>
/// Applies <see cref="DuplicateIdRule"/> across date chunks. After a run has written its chunk's documents, it
/// replaces its days in the <c>document_ids</c> registry with its candidates, then makes every day that holds a
/// candidate of a contested id agree with the registry: the winner in <c>documents</c>, every other candidate in
/// <c>quarantine</c> (<c>duplicate_id</c>, naming the winner), on its own days and on other chunks' days alike.
/// <para>
/// Concurrency: those fixes are read-then-write commits (<see cref="DeltaTable{TRow}.OverwriteIfUnchangedAsync"/>), refused
/// when another commit touched the same days since the read, and the run then reads again; once they are in, the run
/// reads the registry again and starts over if a candidate of its ids arrived meanwhile. A run that registers later
/// sees the earlier runs' candidates, so whichever run registers last settles an id, in any order.
/// </para>
/// </summary>
public sealed partial class CrossDayDuplicates(LakeStore lake, DuplicateIdRule rule, DateChunk chunk, string runId, ILogger log)
{
    public const int MaxRounds = 30;
    private readonly SortedSet<DateOnly> _otherDays = [];
    private readonly ChangedDaysRecord _record = new(lake.Storage, runId, chunk);

    public async Task<DuplicateCounts> ApplyAsync(ChunkIds ids, CancellationToken cancellationToken)
    {
        // Days an earlier try of this run changed: named again, though nothing may be left to move.
        _otherDays.UnionWith(await _record.ReadAsync(cancellationToken).ConfigureAwait(false));
        var registry = lake.Table(LakeTables.DocumentIds);
        // Ids this chunk held before and holds no more: a candidate elsewhere that lost to one of them may keep its id now.
        // (Few: records gone from the source; the chunk's own ids stay in ChunkIds, not in a set of strings.)
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (id, _) in registry.ReadColumnAsync(DayPartition.Within(chunk), DocumentIdRow.DocIdColumn, cancellationToken: cancellationToken).ConfigureAwait(false))
            if (id is not null && !ids.Contains(id)) dropped.Add(id);
        await lake.ReplaceAsync(LakeTables.DocumentIds, chunk, ids.Candidates.Select(c => c.ToRow()).ToAsyncEnumerable(), cancellationToken).ConfigureAwait(false);

        var counts = new DuplicateCounts();
        for (var round = 1; round <= MaxRounds; round++)
        {
            var candidates = await ReadAsync(registry, ids, dropped, cancellationToken).ConfigureAwait(false);
            try
            {
                var done = await ReconcileAsync(candidates.Contested, ids, cancellationToken).ConfigureAwait(false);
                counts = counts with { Demoted = counts.Demoted + done.Demoted, Promoted = counts.Promoted + done.Promoted, RestorePending = done.RestorePending };
            }
            catch (DeltaConflictException)
            {
                RoundLost(round, "documents or quarantine changed since they were read");
                continue;
            }
            if (candidates.Same(await ReadAsync(registry, ids, dropped, cancellationToken).ConfigureAwait(false)))
            {
                // An uncontested candidate of the chunk is the only one of its id: it wins.
                var own = candidates.Contested.Values.SelectMany(c => c).Where(c => chunk.Contains(c.Day)).ToList();
                var winners = candidates.OwnRows - own.Count + own.Count(c => c == IdCandidate.Winner(candidates.Contested[c.DocId], rule));
                return counts with { OwnWinners = winners, OwnCandidates = candidates.OwnRows, OtherDays = [.. _otherDays] };
            }
            RoundLost(round, "another run registered candidates of the same ids");
        }
        throw new DeltaConflictException($"duplicate ids of {chunk}: the registry kept changing for {MaxRounds} rounds; retry the run");
    }

    /// <summary>
    /// The registry at its latest version, as far as this chunk needs it: how many rows its days hold, and every candidate
    /// of the contested ids only (an id of the chunk that another day also holds or that the chunk set aside, and a
    /// dropped id still held elsewhere). Two passes over one version: which ids are contested (the id column alone),
    /// then their candidates; memory follows the contested ids, not the registry or the chunk.
    /// </summary>
    private async Task<RegistryView> ReadAsync(DeltaTable<DocumentIdRow> registry, ChunkIds ids, HashSet<string> dropped, CancellationToken ct)
    {
        var version = await VersionAsync(registry, ct).ConfigureAwait(false);
        var contested = new Dictionary<string, List<IdCandidate>>(StringComparer.Ordinal);
        foreach (var (candidate, _) in ids.Asides) contested.TryAdd(candidate.DocId, []);
        if (version < 0) return new RegistryView(contested, 0);
        long ownRows = 0;
        // The first pass reads the id column alone: the registry spans every day ingested.
        await foreach (var (id, partition) in registry.ReadColumnAsync(PartitionPredicate.All, DocumentIdRow.DocIdColumn, version, ct).ConfigureAwait(false))
        {
            if (DayPartition.Parse(partition) is { } day && chunk.Contains(day)) ownRows++;
            else if (id is not null && !contested.ContainsKey(id) && (dropped.Contains(id) || ids.Contains(id))) contested[id] = [];
        }
        if (contested.Count > 0)
            await foreach (var row in registry.ReadAsync(PartitionPredicate.All, version, ct).ConfigureAwait(false))
                if (contested.TryGetValue(row.DocId, out var list)) list.Add(IdCandidate.Of(row));
        foreach (var id in contested.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList()) contested.Remove(id);
        return new RegistryView(contested, ownRows);
    }

    /// <summary>The registry as <see cref="ReadAsync"/> read it.</summary>
    private sealed record RegistryView(Dictionary<string, List<IdCandidate>> Contested, long OwnRows)
    {
        public bool Same(RegistryView other) => OwnRows == other.OwnRows && Contested.Count == other.Contested.Count
            && Contested.All(kv => other.Contested.TryGetValue(kv.Key, out var list) && kv.Value.ToHashSet().SetEquals(list));
    }

    private async Task<DuplicateCounts> ReconcileAsync(Dictionary<string, List<IdCandidate>> candidates, ChunkIds ids, CancellationToken ct)
    {
        // Contested ids (two candidates or more), and ids this chunk dropped: the rest need nothing.
        var asides = ids.Asides.ToLookup(a => a.Candidate.DocId, StringComparer.Ordinal);
        var action = candidates.Where(kv => kv.Value.Count > 1 || (kv.Value.Count == 1 && !ids.Contains(kv.Key))).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        if (action.Count == 0) return new DuplicateCounts();
        var days = action.SelectMany(id => candidates[id]).Select(c => c.Day).ToHashSet();

        var documents = lake.Table(LakeTables.Documents);
        var quarantine = lake.Table(LakeTables.Quarantine);
        var dv = await VersionAsync(documents, ct).ConfigureAwait(false);
        var qv = await VersionAsync(quarantine, ct).ConfigureAwait(false);
        var docs = new Dictionary<(string, DateOnly, string), DocumentRow>();
        await foreach (var d in documents.ReadAsync(Days(days), dv < 0 ? null : dv, ct).ConfigureAwait(false))
            if (action.Contains(d.DocId)) docs.TryAdd((d.DocId, d.Day, IdCandidate.HashOf(d)), d);
        var quar = new Dictionary<(DateOnly, string, string), QuarantineRow>();
        await foreach (var q in quarantine.ReadAsync(Days(days), qv < 0 ? null : qv, ct).ConfigureAwait(false))
            if (q.Reason == QuarantineReasons.DuplicateId && q.RecordId is { } id && action.Contains(id) && q.Day is { } day) quar.TryAdd((day, q.Source, q.RecordRef), q);

        var plan = new Plan();
        foreach (var id in action)
        {
            var all = candidates[id];
            if (all.Count == 0) continue;
            var winner = IdCandidate.Winner(all, rule);
            foreach (var c in all)
            {
                var docKey = (c.DocId, c.Day, c.RecordHash);
                var quarKey = (c.Day, c.Source, c.RecordRef);
                var inDocs = docs.GetValueOrDefault(docKey);
                var inQuar = quar.GetValueOrDefault(quarKey);
                var aside = asides[id].Where(a => a.Candidate == c).Select(a => a.Document).FirstOrDefault();
                if (c == winner)
                {
                    if (inDocs is not null)
                    {
                        if (inQuar is not null) plan.RemoveQuarantine(quarKey);
                        continue;
                    }
                    if ((aside ?? (inQuar is null ? null : DuplicateRows.Restore(inQuar, runId))) is { } restored && IdCandidate.HashOf(restored) == c.RecordHash)
                    {
                        plan.AddDocument(restored);
                        if (inQuar is not null) plan.RemoveQuarantine(quarKey);
                        plan.Promoted++;
                    }
                    else if (inQuar is not null)
                    {
                        plan.RestorePending++;
                        RestorePending(id, c.Describe());
                    }
                    continue;
                }
                if (inDocs is not null)
                {
                    plan.RemoveDocument(docKey, c.Day);
                    plan.AddQuarantine(quarKey, DuplicateRows.For(inDocs, c, winner, rule, runId));
                    plan.Demoted++;
                    if (!chunk.Contains(c.Day)) Demoted(id, c.Describe(), winner.Describe());
                }
                else if (inQuar is not null)
                {
                    var detail = DuplicateRows.Detail(c, winner, rule);
                    if (inQuar.Detail != detail)
                        plan.AddQuarantine(quarKey, new QuarantineRow
                        {
                            Stage = inQuar.Stage, Source = inQuar.Source, RecordRef = inQuar.RecordRef, RecordId = inQuar.RecordId, Reason = inQuar.Reason,
                            Detail = detail, Raw = inQuar.Raw, RunId = runId, Day = inQuar.Day,
                        });
                }
                else if (aside is not null) plan.AddQuarantine(quarKey, DuplicateRows.For(aside, c, winner, rule, runId));
                // else: registered by a run that has not written it yet; that run settles it.
            }
        }

        // The other days about to change are recorded first, for a retry of this run (ChangedDaysRecord).
        var otherDays = plan.DocumentDays.Where(d => !chunk.Contains(d)).ToList();
        if (!otherDays.All(_otherDays.Contains)) await _record.WriteAsync(_otherDays.Union(otherDays), ct).ConfigureAwait(false);
        // Quarantine first: a run stopped between the two commits leaves a record in both tables, never in neither.
        if (plan.QuarantineDays.Count > 0)
        {
            var scope = Days(plan.QuarantineDays);
            var rows = quarantine.ReadAsync(scope, qv < 0 ? null : qv, ct).Where(q => !(q.Reason == QuarantineReasons.DuplicateId && q.Day is { } day && plan.QuarantineOut.Contains((day, q.Source, q.RecordRef))))
                .Concat(plan.QuarantineIn.Values.ToAsyncEnumerable());
            await quarantine.OverwriteIfUnchangedAsync(rows, scope, qv, scope, ct).ConfigureAwait(false);
        }
        if (plan.DocumentDays.Count > 0)
        {
            var scope = Days(plan.DocumentDays);
            var rows = documents.ReadAsync(scope, dv < 0 ? null : dv, ct).Where(d => !plan.DocumentsOut.Contains((d.DocId, d.Day, IdCandidate.HashOf(d))))
                .Concat(plan.DocumentsIn.ToAsyncEnumerable());
            await documents.OverwriteIfUnchangedAsync(rows, scope, dv, scope, ct).ConfigureAwait(false);
        }
        _otherDays.UnionWith(otherDays);
        return new DuplicateCounts { Demoted = plan.Demoted, Promoted = plan.Promoted, RestorePending = plan.RestorePending };
    }

    private static async Task<long> VersionAsync<T>(DeltaTable<T> table, CancellationToken ct) where T : class, new() =>
        await table.ExistsAsync(ct).ConfigureAwait(false) ? (await table.SnapshotAsync(cancellationToken: ct).ConfigureAwait(false)).Version : -1;

    private static PartitionPredicate Days(IReadOnlySet<DateOnly> days) => new(
        $"{DayPartition.Column} IN ({string.Join(", ", days.Order().Select(d => $"'{DayPartition.Format(d)}'"))})",
        values => DayPartition.Parse(values) is { } d && days.Contains(d));

    /// <summary>The rows a reconciliation moves, and the days whose partitions it rewrites.</summary>
    private sealed class Plan
    {
        public HashSet<(string, DateOnly, string)> DocumentsOut { get; } = [];
        public List<DocumentRow> DocumentsIn { get; } = [];
        public HashSet<DateOnly> DocumentDays { get; } = [];
        public HashSet<(DateOnly, string, string)> QuarantineOut { get; } = [];
        public Dictionary<(DateOnly, string, string), QuarantineRow> QuarantineIn { get; } = [];
        public HashSet<DateOnly> QuarantineDays { get; } = [];
        public long Demoted { get; set; }
        public long Promoted { get; set; }
        public long RestorePending { get; set; }

        public void RemoveDocument((string, DateOnly, string) key, DateOnly day)
        {
            DocumentsOut.Add(key);
            DocumentDays.Add(day);
        }

        public void AddDocument(DocumentRow row)
        {
            DocumentsIn.Add(row);
            DocumentDays.Add(row.Day);
        }

        public void RemoveQuarantine((DateOnly Day, string, string) key)
        {
            QuarantineOut.Add(key);
            QuarantineDays.Add(key.Day);
        }

        public void AddQuarantine((DateOnly Day, string, string) key, QuarantineRow row)
        {
            RemoveQuarantine(key);
            QuarantineIn[key] = row;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Duplicate id {DocId}: {Loser} of another date chunk moved from documents to quarantine; {Winner} keeps the id")]
    private partial void Demoted(string docId, string loser, string winner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Duplicate id {DocId}: {Candidate} keeps the id now but its quarantined copy is truncated; re-run ingest for its day to restore it")]
    private partial void RestorePending(string docId, string candidate);

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate ids: round {Round} lost ({Why}); reading again")]
    private partial void RoundLost(int round, string why);
}
