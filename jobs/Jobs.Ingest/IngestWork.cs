using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Jobs.Contracts;
using Jobs.Hosting;
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
        // Quarantine rows stream into their table's data files while the documents are read (a bounded queue, not a
        // list of every refused record): a wrong mapping that refuses every record of a 2 GB file needs no more memory.
        var quarantined = Channel.CreateBounded<QuarantineRow>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        using var quarantineFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var quarantineCommit = lake.ReplaceAsync(LakeTables.Quarantine, context.Chunk, quarantined.Reader.ReadAllAsync(cancellationToken), cancellationToken, withUndated: true);
        _ = quarantineCommit.ContinueWith(_ => StopReading(quarantineFailed), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var read = false;
        try
        {
            await KeepOtherSourcesUndatedAsync([.. files.Select(f => f.File)], quarantined.Writer, quarantineFailed.Token).ConfigureAwait(false);
            var accepted = Accept(files, counts, quarantined.Writer, quarantineFailed.Token);
            await lake.ReplaceAsync(LakeTables.Documents, context.Chunk, accepted, quarantineFailed.Token).ConfigureAwait(false);
            read = true;
        }
        catch (QualityGateException) when (counts.Read == counts.Input)
        {
            // Every record was read but the gate refused the documents: the quarantine is still committed, to show why.
            quarantined.Writer.Complete();
            await quarantineCommit.ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (!read && quarantined.Writer.TryComplete(new OperationCanceledException("ingest stopped before reading every record: the quarantine is not committed")))
                await Task.WhenAny(quarantineCommit).ConfigureAwait(false); // the first failure is the one reported
        }
        quarantined.Writer.Complete();
        await quarantineCommit.ConfigureAwait(false);
        QuarantinedShare(counts.DatedShare, counts.UndatedShare);
        return StageResult.Of(counts.Read, ("files", counts.Files), ("bytes", counts.Bytes), ("input", counts.Input), ("read", counts.Read),
            ("accepted", counts.Accepted), ("quarantined", counts.Quarantined), ("quarantined_undated", counts.QuarantinedUndated),
            ("duplicates", counts.Duplicates), ("other_chunks", counts.OtherChunks));
    }

    /// <summary>The quarantine's writer failed: reading stops, and its error is the one reported.</summary>
    private static void StopReading(CancellationTokenSource reading)
    {
        try
        {
            reading.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run had already ended.
        }
    }

    /// <summary>
    /// Every run rewrites the undated (null day) quarantine partition; the rows other sources' runs left there are
    /// carried over, so a run over one source never erases another's. (Rows of a file that has since disappeared
    /// stay until a run lists a file of the same name.)
    /// </summary>
    private async Task KeepOtherSourcesUndatedAsync(IReadOnlyList<SourceFile> files, ChannelWriter<QuarantineRow> quarantined, CancellationToken cancellationToken)
    {
        var ours = files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var undated = new PartitionPredicate($"{DayPartition.Column} IS NULL", values => DayPartition.Parse(values) is null);
        await foreach (var row in lake.Table(LakeTables.Quarantine).ReadAsync(undated, cancellationToken).ConfigureAwait(false))
            if (!ours.Contains(row.Source)) await quarantined.WriteAsync(row, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<DocumentRow> Accept(IReadOnlyList<(SourceFile File, IngestSource Source)> files, IngestCounts counts, ChannelWriter<QuarantineRow> quarantined,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, (string Ref, string Fingerprint)>(StringComparer.Ordinal); // doc id → first taken, within this chunk
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
                    var fingerprint = ContentHash.Of(doc.Text, doc.Title ?? "", doc.Category ?? "", doc.Timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    if (seen.TryGetValue(doc.DocId, out var first))
                    {
                        if (first.Fingerprint == fingerprint)
                        {
                            counts.Duplicates++;
                            continue;
                        }
                        problem = new(QuarantineReasons.DuplicateId, $"duplicate id '{doc.DocId}' with different content (first taken at {first.Ref})");
                        doc = null;
                    }
                    else seen[doc.DocId] = (record.Ref, fingerprint);
                }
                if (doc is null)
                {
                    counts.Quarantined++;
                    // Its own day; else (undated, or dated outside the chunk its folder belongs to) its folder's day, if any.
                    var day = when is { } d && context.Chunk.Contains(d) ? DateOnly.FromDateTime(d) : file.Day;
                    if (day is null) counts.QuarantinedUndated++;
                    reasons[problem!.Reason] = reasons.GetValueOrDefault(problem.Reason) + 1;
                    Quarantined(record.Ref, problem.Reason, problem.Detail);
                    await quarantined.WriteAsync(new QuarantineRow
                    {
                        Stage = StageName, Source = record.Source, RecordRef = record.Ref, RecordId = mapper.IdOf(record) is { } id ? StrictUtf8.Truncate(id, 200) : null,
                        Reason = problem.Reason, Detail = problem.Detail, Raw = record.Raw, RunId = context.RunId, Day = day,
                    }, cancellationToken).ConfigureAwait(false);
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
