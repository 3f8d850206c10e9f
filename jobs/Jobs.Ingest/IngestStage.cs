using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Ingest;

/// <summary>
/// Reads CSV/JSONL sources and replaces the chunk's days in <c>documents</c>; refused records go to
/// <c>quarantine</c> with the reason. Undated records have no chunk, so every run rewrites the null partition
/// with the same rows (idempotent) and counts them.
/// </summary>
public sealed class IngestStage : Stage<IngestWork>
{
    public override string Name => "ingest";
    public override string Description => "Source records (CSV, JSONL) → Delta documents + quarantine";
    public override IReadOnlyList<OptionsSection> Sections => [OptionsSection.Of<IngestOptions>(IngestOptions.Section)];

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddLake();

    public override IEnumerable<string> Preflight(IServiceProvider services) =>
        services.GetRequiredService<IngestOptions>().Source.Where(s => !File.Exists(s) && !Directory.Exists(s)).Select(s => $"--source {s} does not exist");
}

public sealed partial class IngestWork(IngestOptions options, LakeStore lake, JobContext context, ILogger<IngestWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var files = SourceFiles.Expand(options.Source);
        var mapper = new RecordMapper(new ColumnMapping(options.IdField, options.TimeField, options.TextField, options.CategoryField, options.TitleField));
        var counts = new IngestCounts();
        var quarantined = new List<QuarantineRow>();

        var accepted = Accept(files, options.Format, mapper, counts, quarantined);
        await lake.ReplaceAsync(LakeTables.Documents, context.Chunk, accepted.ToAsyncEnumerable(), cancellationToken).ConfigureAwait(false);
        await lake.ReplaceAsync(LakeTables.Quarantine, context.Chunk, quarantined.ToAsyncEnumerable(), cancellationToken, withUndated: true).ConfigureAwait(false);

        if (!counts.Reconciles)
            throw new InvalidOperationException($"counts do not reconcile: read {counts.Read} != accepted {counts.Accepted} + quarantined {counts.Quarantined} + other chunks {counts.OtherChunks}");
        return StageResult.Of(counts.Read, ("files", files.Count), ("read", counts.Read), ("accepted", counts.Accepted),
            ("quarantined", counts.Quarantined), ("other_chunks", counts.OtherChunks));
    }

    private IEnumerable<DocumentRow> Accept(IReadOnlyList<string> files, SourceFormat format, RecordMapper mapper,
        IngestCounts counts, List<QuarantineRow> quarantined)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal); // doc id → where first seen, within this chunk
        foreach (var file in files)
            foreach (var record in SourceFiles.Read(file, format))
            {
                counts.Read++;
                var when = mapper.TryTimestamp(record);
                if (when is { } t && !context.Chunk.Contains(t))
                {
                    counts.OtherChunks++;
                    continue;
                }
                var (doc, reason) = mapper.Map(record, context.RunId);
                if (doc is not null && seen.TryGetValue(doc.DocId, out var first))
                {
                    reason = $"duplicate id '{doc.DocId}' (first seen at {first})";
                    doc = null;
                }
                if (doc is null)
                {
                    counts.Quarantined++;
                    Quarantined(record.Ref, reason!);
                    quarantined.Add(new QuarantineRow
                    {
                        Source = record.Source, RecordRef = record.Ref, RecordId = mapper.IdOf(record), Reason = reason!,
                        Raw = RecordMapper.Truncate(record.Raw, 2000), RunId = context.RunId,
                        Day = when is { } d ? DateOnly.FromDateTime(d) : null,
                    });
                    continue;
                }
                seen[doc.DocId] = record.Ref;
                counts.Accepted++;
                yield return doc;
            }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantined {RecordRef}: {Reason}")]
    private partial void Quarantined(string recordRef, string reason);
}
