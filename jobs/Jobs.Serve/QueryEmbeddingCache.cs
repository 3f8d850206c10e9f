using Jobs.Contracts;
using Microsoft.Extensions.AI;

namespace Jobs.Serve;

/// <summary>
/// The embeddings of recent queries, bounded (least recently used dropped first): a popular query is embedded once.
/// Keyed by model and text, so a change of model never serves an old vector.
/// </summary>
public sealed class QueryEmbeddingCache(IEmbeddingGenerator<string, Embedding<float>> generator, EmbeddingModel model, int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, float[] Vector)>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, float[] Vector)> _order = new();
    private readonly Lock _gate = new();

    public long Hits { get; private set; }
    public long Misses { get; private set; }

    public async Task<float[]> EmbedAsync(string query, CancellationToken cancellationToken)
    {
        var key = model.Id + "\u001F" + query;
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                Hits++;
                return node.Value.Vector;
            }
            Misses++;
        }
        var vector = (await generator.GenerateAsync([model.ForQuery(query)], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.ToArray();
        if (capacity == 0) return vector;
        lock (_gate)
        {
            if (!_index.ContainsKey(key))
            {
                _index[key] = _order.AddFirst((key, vector));
                if (_index.Count > capacity)
                {
                    _index.Remove(_order.Last!.Value.Key);
                    _order.RemoveLast();
                }
            }
        }
        return vector;
    }
}
