using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Ingest.Duplicates;
using Jobs.Lake;
using Jobs.Tables;
using Microsoft.Extensions.Logging;

namespace Jobs.Ingest;

/// <summary>
/// Sends every record read to exactly one place: <c>documents</c> (this chunk), <c>quarantine</c> (a reason from
/// <see cref="QuarantineReasons"/>), the exact-duplicate count, or other chunks; then proves it against a separate
/// count of the input, and fails (exit 4) before committing documents when the counts do not reconcile or too
/// large a share was quarantined (a wrong field mapping must not succeed with zero documents).
/// </summary>
public sealed partial class IngestWork(IngestOptions options, IngestSources sources, LakeStore lake, JobContext context, ILogger<IngestWork> log) : IStageWork
{
    public const string StageName = "ingest";

    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var files = new List<(SourceFile File, IngestSource Source)>(); // each source's parts, with its own mapping
        foreach (var source in IngestSource.All(options))
        {
            var (expanded, skipped) = await sources.ExpandAsync(source, context.Chunk, files.Count, cancellationToken).ConfigureAwait(false);
            files.AddRange(expanded.Select(f => (f with { Separator = source.Separator }, source)));
            foreach (var file in skipped) SkippedFile(file);
        }
        var counts = new IngestCounts();
        // Quarantine rows go to a spool file while the documents are read, not to a list: a wrong mapping that refuses
        // every record of a 2 GB file needs no more memory, and a retried quarantine commit reads them again.
        using var quarantined = new QuarantineSpool();
        using var ids = new ChunkIds();

        await KeepOtherSourcesUndatedAsync([.. files.Select(f => f.File)], quarantined, cancellationToken).ConfigureAwait(false);
        try
        {
            var accepted = Accept(files, counts, quarantined, ids);
            await lake.ReplaceAsync(LakeTables.Documents, context.Chunk, accepted.ToAsyncEnumerable(), cancellationToken).ConfigureAwait(false);
        }
        catch (QualityGateException) when (counts.Read == counts.Input)
        {
            // Every record was read but the gate refused the documents: the quarantine is still written, to show why,
            // by the same writer as a run that passes (what of the quarantine a run owns is decided there only).
            quarantined.AddRange(ids.ChunkOnlyRows(options.DuplicateIds, context.RunId));
            await OwnQuarantine.WriteAsync(lake, context.Chunk, quarantined, ids, cancellationToken).ConfigureAwait(false);
            throw;
        }
        await OwnQuarantine.WriteAsync(lake, context.Chunk, quarantined, ids, cancellationToken).ConfigureAwait(false);
        var duplicates = await new CrossDayDuplicates(lake, options.DuplicateIds, context.Chunk, context.RunId, log).ApplyAsync(ids, cancellationToken).ConfigureAwait(false);
        counts.Quarantined += counts.Accepted - duplicates.OwnWinners; // the chunk's records that lost their id to a record of another day
        counts.Accepted = duplicates.OwnWinners;
        QuarantinedShare(counts.DatedShare, counts.UndatedShare);
        return StageResult.Of(counts.Read, ("files", counts.Files), ("bytes", counts.Bytes), ("input", counts.Input), ("read", counts.Read),
            ("accepted", counts.Accepted), ("quarantined", counts.Quarantined), ("quarantined_undated", counts.QuarantinedUndated),
            ("duplicates", counts.Duplicates), ("other_chunks", counts.OtherChunks), ("duplicate_ids_demoted", duplicates.Demoted),
            ("duplicate_ids_promoted", duplicates.Promoted), ("duplicate_ids_restore_pending", duplicates.RestorePending), ("duplicate_ids_other_days", duplicates.OtherDays.Count)) with { ChangedDays = duplicates.OtherDays };
    }

    /// <summary>
    /// Every run rewrites the undated (null day) quarantine partition; the rows other sources' runs left there are
    /// carried over, so a run over one source never erases another's. (Rows of a file that has since disappeared
    /// stay until a run lists a file of the same name.)
    /// </summary>
    private async Task KeepOtherSourcesUndatedAsync(IReadOnlyList<SourceFile> files, QuarantineSpool quarantined, CancellationToken cancellationToken)
    {
        var ours = files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var undated = new PartitionPredicate($"{DayPartition.Column} IS NULL", values => DayPartition.Parse(values) is null);
        await foreach (var row in lake.Table(LakeTables.Quarantine).ReadAsync(undated, cancellationToken).ConfigureAwait(false))
            if (!ours.Contains(row.Source)) quarantined.Add(row);
    }

    private IEnumerable<DocumentRow> Accept(IReadOnlyList<(SourceFile File, IngestSource Source)> files, IngestCounts counts, QuarantineSpool quarantined, ChunkIds ids)
    {
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var gate = new SourceGate(counts, options.MaxQuarantinedShare, files.Select(f => f.Source).Distinct().Count() > 1);
        foreach (var (file, source) in files)
        {
            var mapper = source.Mapper;
            gate.Enter(source);
            counts.Files++;
            counts.Bytes += file.Length;
            counts.Input += file.CountRecords();
            foreach (var record in file.Read(options.MaxRecordBytes))
            {
                counts.Read++;
                var when = mapper.TryTimestamp(record);
                RecordProblem? problem;
                DocumentRow? doc = null;
                if (when is { } t && !context.Chunk.Contains(t))
                {
                    if (file.Day is not { } folderDay)
                    {
                        counts.OtherChunks++;
                        continue;
                    }
                    problem = new(QuarantineReasons.OutsidePartition, $"dated {t:yyyy-MM-dd} (UTC), but its file is in the folder of {folderDay:yyyy-MM-dd}, which only runs over that day read");
                }
                else (doc, problem) = mapper.Map(record, context.RunId);
                if (doc is not null)
                {
                    switch (ids.Take(doc, record.Ref))
                    {
                        case ChunkIds.Outcome.ExactDuplicate:
                            counts.Duplicates++;
                            continue;
                        case ChunkIds.Outcome.SetAside: // quarantined or kept once the rule has been applied over every day
                            counts.Quarantined++;
                            reasons[QuarantineReasons.DuplicateId] = reasons.GetValueOrDefault(QuarantineReasons.DuplicateId) + 1;
                            continue;
                    }
                }
                if (doc is null)
                {
                    counts.Quarantined++;
                    // Its own day; else (undated, or dated outside the chunk its folder belongs to) its folder's day, if any.
                    var day = when is { } d && context.Chunk.Contains(d) ? DateOnly.FromDateTime(d) : file.Day;
                    if (day is null) counts.QuarantinedUndated++;
                    reasons[problem!.Reason] = reasons.GetValueOrDefault(problem.Reason) + 1;
                    Quarantined(record.Ref, problem.Reason, problem.Detail);
                    quarantined.Add(new QuarantineRow
                    {
                        Stage = StageName, Source = record.Source, RecordRef = record.Ref, RecordId = mapper.IdOf(record) is { } id ? StrictUtf8.Truncate(id, 200) : null,
                        Reason = problem.Reason, Detail = problem.Detail, Raw = record.Raw, RunId = context.RunId, Day = day,
                    });
                    continue;
                }
                counts.Accepted++;
                yield return doc;
            }
        }
        foreach (var (reason, count) in reasons) QuarantinedByReason(reason, count);
        // Last, before the documents commit: lost records or a gate failure leave the table as it was.
        var problems = counts.Problems().Concat(counts.GateProblems(options.MaxQuarantinedShare)).Concat(gate.Problems()).ToList();
        if (problems.Count > 0) throw new QualityGateException(string.Join("; ", problems));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Quarantined {RecordRef}: {Reason}: {Detail}")]
    private partial void Quarantined(string recordRef, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantined {Count} records for {Reason}")]
    private partial void QuarantinedByReason(string reason, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {File}: not a supported source file (.csv, .jsonl, .ndjson, .json, .parquet)")]
    private partial void SkippedFile(string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quarantined share {DatedShare:P2} of the chunk's records, {UndatedShare:P2} of all records undated")]
    private partial void QuarantinedShare(double datedShare, double undatedShare);
}
