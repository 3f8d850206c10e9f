using System.CommandLine;
using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Lake;
using Microsoft.Extensions.Logging;

namespace Jobs.Ingest;

/// <summary>
/// Reads CSV/JSONL sources and replaces the chunk's days in <c>documents</c>; refused records go to
/// <c>quarantine</c> with the reason. Undated records have no chunk, so every run rewrites the null partition
/// with the same rows (idempotent) and counts them.
/// </summary>
public sealed class IngestStage : Stage
{
    private readonly Option<string[]> _source = new("--source") { Description = "Source file or folder (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
    private readonly Option<SourceFormat> _format = new("--format") { Description = "csv, jsonl or auto (by extension)", DefaultValueFactory = _ => SourceFormat.Auto };
    private readonly Option<string> _idField = new("--id-field") { Description = "Field holding the record id", DefaultValueFactory = _ => "id" };
    private readonly Option<string> _timeField = new("--time-field") { Description = "Field holding the ISO-8601 timestamp", DefaultValueFactory = _ => "timestamp" };
    private readonly Option<string> _textField = new("--text-field") { Description = "Field holding the text", DefaultValueFactory = _ => "text" };
    private readonly Option<string> _categoryField = new("--category-field") { Description = "Field holding the category", DefaultValueFactory = _ => "category" };
    private readonly Option<string> _titleField = new("--title-field") { Description = "Field holding the title", DefaultValueFactory = _ => "title" };

    public override string Name => "ingest";
    public override string Description => "Source records (CSV, JSONL) → Delta documents + quarantine";
    public override IEnumerable<Option> Options => [_source, _format, _idField, _timeField, _textField, _categoryField, _titleField];

    public override async Task<StageResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var log = context.LoggerFactory.CreateLogger<IngestStage>();
        var files = SourceFiles.Expand(context.Get(_source)!);
        var mapper = new RecordMapper(new ColumnMapping(context.Get(_idField)!, context.Get(_timeField)!, context.Get(_textField)!,
            context.Get(_categoryField), context.Get(_titleField)));
        var counts = new IngestCounts();
        var quarantined = new List<QuarantineRow>();
        var documents = new DeltaTable<DocumentRow>(context.Lake, LakeTables.Documents);
        var quarantine = new DeltaTable<QuarantineRow>(context.Lake, LakeTables.Quarantine);

        var accepted = Accept(files, context.Get(_format), mapper, context, counts, quarantined, log);
        var docCommit = await documents.OverwriteAsync(accepted.ToAsyncEnumerable(), DayPartition.Within(context.Chunk), cancellationToken).ConfigureAwait(false);
        var qCommit = await quarantine.OverwriteAsync(quarantined.ToAsyncEnumerable(), DayPartition.WithinOrUndated(context.Chunk), cancellationToken).ConfigureAwait(false);
        log.LogInformation("Committed documents version {DocumentsVersion} and quarantine version {QuarantineVersion}", docCommit.Version, qCommit.Version);

        if (!counts.Reconciles)
            throw new InvalidOperationException($"counts do not reconcile: read {counts.Read} != accepted {counts.Accepted} + quarantined {counts.Quarantined} + other chunks {counts.OtherChunks}");
        return StageResult.Of(counts.Read, ("files", files.Count), ("read", counts.Read), ("accepted", counts.Accepted),
            ("quarantined", counts.Quarantined), ("other_chunks", counts.OtherChunks));
    }

    private static IEnumerable<DocumentRow> Accept(IReadOnlyList<string> files, SourceFormat format, RecordMapper mapper, JobContext context,
        IngestCounts counts, List<QuarantineRow> quarantined, ILogger log)
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
                    log.LogWarning("Quarantined {RecordRef}: {Reason}", record.Ref, reason);
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
}
