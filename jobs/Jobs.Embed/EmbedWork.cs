using System.Runtime.CompilerServices;
using Jobs.Contracts;
using Jobs.Embeddings;
using Jobs.Hosting;
using Jobs.Lake;
using Jobs.Tables;
using Microsoft.Extensions.Logging;

namespace Jobs.Embed;

/// <summary>
/// One embed run over a date chunk. Every chunk ends in exactly one place: reused (a vector for its text and model
/// exists anywhere in the lake, or was committed as progress by an interrupted run), embedded, or dead-lettered, so
/// <c>chunks = embedded + reused + dead_lettered</c>. New vectors are appended to <c>embedding_progress</c> every
/// <see cref="EmbedOptions.ProgressEvery"/>; the chunk's days of <c>embeddings</c> and <c>dead_letters</c> are then
/// replaced in one commit each, and the run fails (exit 4) only when the dead-lettered share passes
/// <see cref="EmbedOptions.MaxDeadLetterShare"/>.
/// </summary>
public sealed partial class EmbedWork(EmbedOptions options, ModelOptions modelOptions, EmbeddingClientOptions client, EmbeddingModel model,
    ResilientEmbedder embedder, LakeStore lake, JobContext context, TimeProvider time, ILogger<EmbedWork> log) : IStageWork
{
    private const int MaxMessageLength = 1_000;
    /// <summary>Batches' worth of chunks sorted by token length at a time (bounds memory and keeps padding low).</summary>
    private const int LengthWindowBatches = 8;

    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var chunk = context.Chunk;
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var c in lake.ReadAsync(LakeTables.Chunks, chunk, cancellationToken).ConfigureAwait(false)) hashes.Add(c.ContentHash);

        // Content-addressed reuse across the whole lake (another day, a duplicated passage, a re-run) and the progress
        // of an interrupted run. Hashes are uniform, so no day or min/max stat narrows the search: each file's hash
        // column is read alone, and whole rows (the vectors) only of files holding one of the range's hashes; only the
        // vectors this range needs are kept in memory.
        var known = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var progressInRange = await HasFilesAsync(LakeTables.EmbeddingProgress, chunk, cancellationToken).ConfigureAwait(false);
        if (!options.FullRefresh)
            foreach (var spec in new[] { LakeTables.Embeddings, LakeTables.EmbeddingProgress })
                await foreach (var e in lake.Table(spec).ReadHoldingAsync(PartitionPredicate.All, EmbeddingRow.ContentHashColumn, hashes, cancellationToken).ConfigureAwait(false))
                    if (Reusable(e) && hashes.Contains(e.ContentHash)) known.TryAdd(e.ContentHash, e.Embedding);
        var previousDead = new Dictionary<string, DeadLetterRow>(StringComparer.Ordinal);
        await foreach (var d in lake.ReadAsync(LakeTables.DeadLetters, chunk, cancellationToken).ConfigureAwait(false))
            if (d.Model == model.Id) previousDead[d.ChunkId] = d;

        var run = new RunState(known, previousDead);
        var rows = EmbedAllAsync(lake.ReadAsync(LakeTables.Chunks, chunk, cancellationToken), run, cancellationToken);
        await lake.ReplaceAsync(LakeTables.Embeddings, chunk, WithOtherModelsAsync(LakeTables.Embeddings, e => e.Model, rows, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (run.Dead.Count > 0 || previousDead.Count > 0)
            await lake.ReplaceAsync(LakeTables.DeadLetters, chunk, WithOtherModelsAsync(LakeTables.DeadLetters, d => d.Model, run.Dead.ToAsyncEnumerable(),
                cancellationToken), cancellationToken).ConfigureAwait(false);
        if (progressInRange || run.Progressed > 0) // the vectors are in embeddings now: the range's progress is spent
            await lake.ReplaceAsync(LakeTables.EmbeddingProgress, chunk, WithOtherModelsAsync(LakeTables.EmbeddingProgress, e => e.Model,
                AsyncEnumerable.Empty<EmbeddingRow>(), cancellationToken), cancellationToken).ConfigureAwait(false);

        var counts = run.Counts;
        Embedded(counts.Embedded, counts.Reused, counts.DeadLettered, counts.Recovered, model.Id);
        var share = counts.Chunks == 0 ? 0 : (double)counts.DeadLettered / counts.Chunks;
        if (share > options.MaxDeadLetterShare)
            throw new QualityGateException($"{counts.DeadLettered} of {counts.Chunks} chunks ({share:P1}) are dead-lettered, above --max-dead-letter-share " +
                $"{options.MaxDeadLetterShare:P1}; see the dead_letters table (embed --replay-dead-letters retries them)");
        return StageResult.Of(counts.Chunks, ("chunks", counts.Chunks), ("embedded", counts.Embedded), ("reused", counts.Reused),
            ("dead_lettered", counts.DeadLettered), ("recovered", counts.Recovered));
    }

    private async Task<bool> HasFilesAsync(TableSpec<EmbeddingRow> spec, DateChunk chunk, CancellationToken cancellationToken)
    {
        var table = lake.Table(spec);
        if (!await table.ExistsAsync(cancellationToken).ConfigureAwait(false)) return false;
        var snapshot = await table.SnapshotAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return snapshot.Files.Any(f => DayPartition.Within(chunk).Matches(f.PartitionValues));
    }

    /// <summary>
    /// A stored vector of this model at its current dimension (a remote model served at another <c>--dimensions</c> keeps
    /// its id, so the id alone does not say the vector fits); rows written before the dimension column have null there.
    /// </summary>
    private bool Reusable(EmbeddingRow e) =>
        e.Model == model.Id && e.Embedding.Length == model.Dimensions && (e.Dimension ?? model.Dimensions) == model.Dimensions;

    /// <summary>
    /// The range's rows of other models first (a new model is embedded side by side while the old one keeps serving:
    /// replacing the range's days must not drop them), then this model's.
    /// </summary>
    private async IAsyncEnumerable<T> WithOtherModelsAsync<T>(TableSpec<T> spec, Func<T, string> modelOf, IAsyncEnumerable<T> rows,
        [EnumeratorCancellation] CancellationToken cancellationToken) where T : class, new()
    {
        await foreach (var row in lake.ReadAsync(spec, context.Chunk, cancellationToken).ConfigureAwait(false))
            if (modelOf(row) != model.Id) yield return row;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false)) yield return row;
    }

    private async IAsyncEnumerable<EmbeddingRow> EmbedAllAsync(IAsyncEnumerable<ChunkRow> chunks, RunState run,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Batches go out up to MaxConcurrency at a time (one for in-process ONNX, which uses every core itself) and
        // come back in order, so memory stays bounded and the output is deterministic.
        var concurrency = EmbeddingProviders.IsRemote(modelOptions.Provider) ? client.MaxConcurrency : 1;
        var inflight = new Queue<(List<ChunkRow> Batch, Task<EmbedOutcome[]> Outcomes)>();
        var waiting = new Dictionary<string, List<ChunkRow>>(StringComparer.Ordinal); // hash → chunks with that text in flight
        var window = options.BatchSize * LengthWindowBatches;
        var pending = new List<ChunkRow>(window);
        await foreach (var chunk in chunks.ConfigureAwait(false))
        {
            run.Counts.Chunks++;
            if (run.Known.TryGetValue(chunk.ContentHash, out var vector))
            {
                run.Counts.Reused++;
                yield return Row(chunk, vector);
                continue;
            }
            if (waiting.TryGetValue(chunk.ContentHash, out var twins))
            {
                twins.Add(chunk); // the same text is already on its way: it gets that vector
                continue;
            }
            if (run.PreviousDead.TryGetValue(chunk.ChunkId, out var dead) && dead.ContentHash == chunk.ContentHash && !options.ReplayDeadLetters && !options.FullRefresh)
            {
                run.Counts.DeadLettered++; // known poison: left for --replay-dead-letters instead of paying for it on every run
                run.Dead.Add(dead);
                continue;
            }
            waiting[chunk.ContentHash] = [chunk];
            pending.Add(chunk);
            if (pending.Count < window) continue;
            foreach (var batch in ByLength(pending))
            {
                inflight.Enqueue(Start(batch, cancellationToken));
                while (inflight.Count >= concurrency)
                    foreach (var row in await CompleteAsync(inflight.Dequeue(), waiting, run, cancellationToken).ConfigureAwait(false)) yield return row;
            }
            pending = new List<ChunkRow>(window);
        }
        foreach (var batch in ByLength(pending)) inflight.Enqueue(Start(batch, cancellationToken));
        while (inflight.Count > 0)
            foreach (var row in await CompleteAsync(inflight.Dequeue(), waiting, run, cancellationToken).ConfigureAwait(false)) yield return row;
        await CommitProgressAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Batches of exactly <see cref="EmbedOptions.BatchSize"/> (the last one may be short) of chunks of similar token
    /// length, so that little of each model call is padding; the sort is stable, so the output is deterministic.
    /// </summary>
    private IEnumerable<List<ChunkRow>> ByLength(List<ChunkRow> window) =>
        window.OrderBy(c => StoredIds(c)?.Length ?? c.TokenCount).Chunk(options.BatchSize).Select(b => b.ToList());

    /// <summary>
    /// The model input ids the chunk stage stored, when the generator takes ids (in-process ONNX) under the same
    /// tokenizer fingerprint; else null, and the text is tokenized (rows written before the column, another model).
    /// </summary>
    private int[]? StoredIds(ChunkRow chunk) =>
        chunk.TokenIds is { Length: > 0 } ids && embedder.Tokenizer is { } tokenizer && chunk.Tokenizer == tokenizer ? ids : null;

    private (List<ChunkRow>, Task<EmbedOutcome[]>) Start(List<ChunkRow> batch, CancellationToken cancellationToken) =>
        (batch, embedder.EmbedAsync([.. batch.Select(c => model.ForDocument(c.Context, c.Text))], [.. batch.Select(StoredIds)], cancellationToken));

    private async Task<List<EmbeddingRow>> CompleteAsync((List<ChunkRow> Batch, Task<EmbedOutcome[]> Outcomes) flight,
        Dictionary<string, List<ChunkRow>> waiting, RunState run, CancellationToken cancellationToken)
    {
        var outcomes = await flight.Outcomes.ConfigureAwait(false);
        var rows = new List<EmbeddingRow>(flight.Batch.Count);
        var now = time.GetUtcNow().UtcDateTime;
        for (var i = 0; i < flight.Batch.Count; i++)
        {
            var first = flight.Batch[i];
            waiting.Remove(first.ContentHash, out var sameText);
            foreach (var chunk in sameText ?? [first])
            {
                if (outcomes[i].Vector is { } vector)
                {
                    if (ReferenceEquals(chunk, first))
                    {
                        run.Counts.Embedded++;
                        run.Progress.Add(Row(chunk, vector));
                    }
                    else run.Counts.Reused++;
                    if (run.PreviousDead.ContainsKey(chunk.ChunkId)) run.Counts.Recovered++;
                    run.Known[chunk.ContentHash] = vector;
                    rows.Add(Row(chunk, vector));
                }
                else
                {
                    run.Counts.DeadLettered++;
                    run.Dead.Add(DeadLetter(chunk, outcomes[i].Failure!, run.PreviousDead.GetValueOrDefault(chunk.ChunkId), now));
                }
            }
        }
        BatchEmbedded(flight.Batch.Count);
        if (run.Progress.Count >= options.ProgressEvery) await CommitProgressAsync(run, cancellationToken).ConfigureAwait(false);
        return rows;
    }

    /// <summary>Appends the vectors embedded since the last progress commit, so a killed run does not pay for them again.</summary>
    private async Task CommitProgressAsync(RunState run, CancellationToken cancellationToken)
    {
        if (run.Progress.Count == 0) return;
        var commit = await lake.Table(LakeTables.EmbeddingProgress).AppendAsync(run.Progress.ToAsyncEnumerable(), cancellationToken: cancellationToken).ConfigureAwait(false);
        ProgressCommitted(run.Progress.Count, commit.Version);
        run.Progressed += run.Progress.Count;
        run.Progress.Clear();
    }

    private DeadLetterRow DeadLetter(ChunkRow chunk, EmbedFailure failure, DeadLetterRow? previous, DateTime now)
    {
        if (previous is not null && previous.ContentHash != chunk.ContentHash) previous = null; // the text changed: a new failure
        return new DeadLetterRow
        {
            ChunkId = chunk.ChunkId,
            DocId = chunk.DocId,
            ContentHash = chunk.ContentHash,
            Model = model.Id,
            ErrorClass = failure.ErrorClass,
            Message = failure.Message.Length > MaxMessageLength ? failure.Message[..MaxMessageLength] : failure.Message,
            Attempts = (previous?.Attempts ?? 0) + failure.Attempts,
            FirstSeen = previous?.FirstSeen ?? now,
            LastSeen = now,
            RunId = context.RunId,
            Day = chunk.Day,
        };
    }

    private EmbeddingRow Row(ChunkRow chunk, float[] vector) => new()
    {
        ChunkId = chunk.ChunkId,
        DocId = chunk.DocId,
        ContentHash = chunk.ContentHash,
        Model = model.Id,
        Embedding = vector,
        Dimension = model.Dimensions,
        RunId = context.RunId,
        Day = chunk.Day,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded {Embedded} chunks, reused {Reused} vectors of unchanged text, dead-lettered {DeadLettered} (recovered {Recovered}) with {Model}")]
    private partial void Embedded(long embedded, long reused, long deadLettered, long recovered, string model);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Embedded a batch of {BatchSize} chunks")]
    private partial void BatchEmbedded(int batchSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Committed progress: {Vectors} vectors in embedding_progress version {Version}")]
    private partial void ProgressCommitted(int vectors, long version);

    private sealed class RunState(Dictionary<string, float[]> known, Dictionary<string, DeadLetterRow> previousDead)
    {
        public Dictionary<string, float[]> Known { get; } = known;
        public Dictionary<string, DeadLetterRow> PreviousDead { get; } = previousDead;
        public List<DeadLetterRow> Dead { get; } = [];
        public List<EmbeddingRow> Progress { get; } = [];
        public long Progressed { get; set; }
        public Counts Counts { get; } = new();
    }

    private sealed class Counts
    {
        public long Chunks;
        public long Embedded;
        public long Reused;
        public long DeadLettered;
        public long Recovered;
    }
}
