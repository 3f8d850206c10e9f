using Jobs.Contracts;
using Jobs.Hosting;
using Jobs.Quality;
using Jobs.Store;
using Jobs.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jobs.Validate;

/// <summary>One validate run: reads each lake table of the chunk once, feeding the audits of the requested points.</summary>
public sealed partial class ValidateWork(EmbeddingModel model, QualityOptions quality, ValidateOptions options, LakeStore lake, JobContext context,
    IServiceProvider services, TimeProvider time, ILogger<ValidateWork> log) : IStageWork
{
    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var points = options.Points(context.PostgresOrNull is not null);
        bool At(CheckPoint p) => points.Contains(p);
        var chunk = context.Chunk;
        var ingest = At(CheckPoint.Ingest) ? new IngestAudit(quality, chunk) : null;
        var chunking = At(CheckPoint.Chunk) ? new ChunkAudit(model, quality) : null;
        var embedding = At(CheckPoint.Embed) ? new EmbeddingAudit(model, quality) : null;
        var profile = options.Profile ? new DataProfile() : null;
        var loaded = At(CheckPoint.Load) ? new LoadAudit(lake, chunk, services.GetRequiredService<StoreAudit>(), model, quality) : null;

        long documents = 0, chunks = 0, embeddings = 0, quarantined = 0;
        if (ingest is not null || chunking is not null || loaded is not null || profile is not null)
            await foreach (var d in lake.ReadAsync(LakeTables.Documents, chunk, cancellationToken).ConfigureAwait(false))
            {
                documents++;
                profile?.AddDocument(d);
                ingest?.AddDocument(d);
                chunking?.AddDocument(d);
                loaded?.AddDocument(d);
            }
        if (ingest is not null)
            await foreach (var q in lake.ReadAsync(LakeTables.Quarantine, chunk, cancellationToken).ConfigureAwait(false))
            {
                quarantined++;
                ingest.AddQuarantined(q);
            }
        var deadLetters = embedding is not null || loaded is not null
            ? await DeadLetterIds.ReadAsync(lake, chunk, cancellationToken).ConfigureAwait(false)
            : [];
        if (chunking is not null || embedding is not null || loaded is not null || profile is not null)
            await foreach (var c in lake.ReadAsync(LakeTables.Chunks, chunk, cancellationToken).ConfigureAwait(false))
            {
                chunks++;
                profile?.AddChunk(c);
                chunking?.AddChunk(c);
                embedding?.AddChunk(c);
                if (!deadLetters.Contains(c.ChunkId)) loaded?.AddChunk(c); // load skips dead-lettered chunks
            }
        if (embedding is not null)
        {
            foreach (var id in deadLetters) embedding.AddDeadLetter(id);
            await foreach (var e in lake.ReadAsync(LakeTables.Embeddings, chunk, cancellationToken).ConfigureAwait(false))
            {
                embeddings++;
                embedding.AddEmbedding(e);
            }
        }

        List<CheckResult> results = [.. ingest?.Results() ?? [], .. chunking?.Results() ?? [], .. embedding?.Results() ?? []];
        if (loaded is not null) results.AddRange(await loaded.ResultsAsync(cancellationToken).ConfigureAwait(false));
        foreach (var r in results) Report(r);
        if (profile is not null) ReportProfile(profile);
        await DqResults.AppendAsync(lake, results, context, model.Id, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);

        var blocking = results.Where(r => r.Blocks).ToList();
        if (blocking.Count > 0)
            throw new QualityGateException($"{blocking.Count} error check(s) failed: " + string.Join("; ", blocking));
        return StageResult.Of(documents + chunks + embeddings, ("documents", documents), ("chunks", chunks), ("embeddings", embeddings),
            ("quarantined", quarantined), ("dead_letters", deadLetters.Count), ("checks", results.Count),
            ("warnings", results.Count(r => !r.Passed && r.Severity == Severity.Warning)));
    }

    private void Report(CheckResult r)
    {
        var point = r.Point.ToString().ToLowerInvariant();
        var samples = string.Join(", ", r.Samples);
        if (r.Passed) CheckPassed(point, r.Name, r.Observed, r.Threshold, r.Checked);
        else if (r.Severity == Severity.Error) CheckFailed(point, r.Name, r.Observed, r.Threshold, r.Failures, r.Checked, samples);
        else CheckWarned(point, r.Name, r.Observed, r.Threshold, r.Failures, r.Checked, samples);
    }

    private void ReportProfile(DataProfile p)
    {
        var (textMin, textP50, textP95, textMax) = p.TextLength;
        var (tokMin, tokP50, tokP95, tokMax) = p.TokenCount;
        Profiled(p.Documents, p.NullTitles, p.NullCategories, textMin, textP50, textP95, textMax, p.Chunks, tokMin, tokP50, tokP95, tokMax,
            string.Join(", ", p.TopCategories(10).Select(c => $"{c.Category}: {c.Documents}")));
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information,
        Message = "Profile: {Documents} documents ({NullTitles} without title, {NullCategories} without category), text length min {TextMin} p50 {TextP50} p95 {TextP95} max {TextMax}; {Chunks} chunks, tokens min {TokensMin} p50 {TokensP50} p95 {TokensP95} max {TokensMax}; categories {Categories}")]
    private partial void Profiled(long documents, long nullTitles, long nullCategories, double textMin, double textP50, double textP95, double textMax,
        long chunks, double tokensMin, double tokensP50, double tokensP95, double tokensMax, string categories);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Check {Point}/{Check} passed: observed {Observed} (threshold {Threshold}) on {Checked} rows")]
    private partial void CheckPassed(string point, string check, double observed, double threshold, long @checked);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error,
        Message = "Check {Point}/{Check} failed: observed {Observed} (threshold {Threshold}), {Failures} of {Checked} rows, e.g. {Samples}")]
    private partial void CheckFailed(string point, string check, double observed, double threshold, long failures, long @checked, string samples);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "Check {Point}/{Check} warns: observed {Observed} (threshold {Threshold}), {Failures} of {Checked} rows, e.g. {Samples}")]
    private partial void CheckWarned(string point, string check, double observed, double threshold, long failures, long @checked, string samples);
}
