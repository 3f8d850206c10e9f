using Jobs.Contracts;
using Microsoft.ML.OnnxRuntime;

namespace Jobs.Embed.Bench;

/// <summary>
/// The baseline: ONNX Runtime alone over pre-tokenized batches. Builds the three input tensors, runs the session and
/// copies each input's [CLS] state out (the least any embedder must do); no tokenizing, pooling choice, normalising,
/// validation, retries or Delta I/O.
/// </summary>
public sealed class BareOnnxLoop(byte[] modelBytes, int threads, int dimensions) : IDisposable
{
    private readonly InferenceSession _session = Create(modelBytes, threads);

    private static InferenceSession Create(byte[] model, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        return new InferenceSession(model, options);
    }

    public float[][] Run(IReadOnlyList<BenchChunk[]> batches)
    {
        var vectors = new List<float[]>();
        foreach (var batch in batches)
        {
            var length = batch.Max(c => c.Ids.Count);
            var ids = new long[batch.Length * length];
            var mask = new long[batch.Length * length];
            var types = new long[batch.Length * length];
            for (var b = 0; b < batch.Length; b++)
                for (var t = 0; t < batch[b].Ids.Count; t++)
                {
                    ids[b * length + t] = batch[b].Ids[t];
                    mask[b * length + t] = 1;
                }
            long[] shape = [batch.Length, length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], ["last_hidden_state"]);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            for (var b = 0; b < batch.Length; b++) vectors.Add(hidden.Slice(b * length * dimensions, dimensions).ToArray());
        }
        return [.. vectors];
    }

    public void Dispose() => _session.Dispose();
}
