namespace Jobs.Lake;

/// <summary>Selects partitions by their log values; <see cref="Description"/> is recorded as the commit's predicate.</summary>
public sealed record PartitionPredicate(string Description, Func<IReadOnlyDictionary<string, string?>, bool> Matches)
{
    public static readonly PartitionPredicate All = new("true", _ => true);
}
