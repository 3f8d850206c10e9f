namespace Jobs.Ingest.Duplicates;

/// <summary>
/// Which record keeps an id that several records with different content carry (<c>--duplicate-ids</c>): the first
/// or the last in the order (timestamp, source, position in the source), over every day ingested, so the winner is
/// the same however the range was cut into date chunks and in whatever order the chunks ran.
/// </summary>
public enum DuplicateIdRule
{
    First,
    Last,
}
