using Jobs.Ingest.Duplicates;
using Jobs.Tables;
using Xunit;

namespace Jobs.Stages.Tests;

/// <summary>
/// The compact id map of an ingest run: ids are found by a 64-bit hash and confirmed against the exact id read back
/// from the candidate spool, so ids that share a hash (forced here with a hash that gives every id the same value)
/// are still told apart: none taken for another, none lost, exact duplicates and set-asides decided per real id.
/// </summary>
public sealed class ChunkIdsTests
{
    private static DocumentRow Doc(string id, string text, int hour = 10) => new()
    {
        DocId = id, Timestamp = new DateTime(2024, 3, 2, hour, 0, 0, DateTimeKind.Utc), Day = new DateOnly(2024, 3, 2), Title = null, Category = null,
        Source = "records.jsonl", Text = text, ContentHash = Jobs.Contracts.ContentHash.Of(text), RunId = "run",
    };

    [Fact]
    public void Take_EveryIdOnOneHash_KeepsEachIdApart()
    {
        using var ids = new ChunkIds(_ => 42);

        Assert.Equal(ChunkIds.Outcome.Taken, ids.Take(Doc("a", "alpha"), "records.jsonl:1"));
        Assert.Equal(ChunkIds.Outcome.Taken, ids.Take(Doc("b", "bravo"), "records.jsonl:2"));
        Assert.Equal(ChunkIds.Outcome.Taken, ids.Take(Doc("c", "charlie"), "records.jsonl:3"));

        Assert.Equal(2, ids.Collisions);
        Assert.True(ids.Contains("a"));
        Assert.True(ids.Contains("b"));
        Assert.True(ids.Contains("c"));
        Assert.False(ids.Contains("d"));
        Assert.True(ids.TookFirst("b", "records.jsonl", "records.jsonl:2"));
        Assert.False(ids.TookFirst("b", "records.jsonl", "records.jsonl:1"));
    }

    [Fact]
    public void Take_EveryIdOnOneHash_DecidesDuplicatesByTheRealId()
    {
        using var ids = new ChunkIds(_ => 7);
        ids.Take(Doc("a", "alpha"), "records.jsonl:1");
        ids.Take(Doc("b", "bravo"), "records.jsonl:2");

        // Same content as b's first record: exact duplicate; a's content under b's id is not a duplicate of a.
        Assert.Equal(ChunkIds.Outcome.ExactDuplicate, ids.Take(Doc("b", "bravo"), "records.jsonl:3"));
        Assert.Equal(ChunkIds.Outcome.SetAside, ids.Take(Doc("b", "alpha"), "records.jsonl:4"));
        Assert.Equal(ChunkIds.Outcome.ExactDuplicate, ids.Take(Doc("b", "alpha"), "records.jsonl:5"));
        // A new id on the same hash is taken, not mistaken for a or b.
        Assert.Equal(ChunkIds.Outcome.Taken, ids.Take(Doc("c", "bravo"), "records.jsonl:6"));

        Assert.Equal(4, ids.Count);
        Assert.Equal(["a records.jsonl:1", "b records.jsonl:2", "b records.jsonl:4", "c records.jsonl:6"],
            ids.Candidates.Select(c => $"{c.DocId} {c.RecordRef}").ToArray());
        var aside = Assert.Single(ids.Asides);
        Assert.Equal(("b", "records.jsonl:4"), (aside.Candidate.DocId, aside.Candidate.RecordRef));
    }

    [Fact]
    public void ChunkOnlyRows_CollidingIds_NameTheWinnerOfTheirOwnId()
    {
        using var ids = new ChunkIds(_ => 0);
        ids.Take(Doc("a", "alpha", hour: 9), "records.jsonl:1");
        ids.Take(Doc("b", "bravo early", hour: 8), "records.jsonl:2");
        ids.Take(Doc("b", "bravo late", hour: 12), "records.jsonl:3");

        var row = Assert.Single(ids.ChunkOnlyRows(DuplicateIdRule.First, "run"));

        // First by timestamp: b's first record (08:00) keeps the id, found among colliding ids by its exact id; a is no candidate.
        Assert.Equal(("b", "records.jsonl:3", QuarantineReasons.DuplicateId), (row.RecordId, row.RecordRef, row.Reason));
        Assert.Contains("kept records.jsonl:2 of 2024-03-02", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Candidates_RoundTripThroughTheSpool()
    {
        using var ids = new ChunkIds();
        var doc = Doc("id-é-✓", "text with ünïcode");
        ids.Take(doc, "dir/records.jsonl:14");

        var candidate = Assert.Single(ids.Candidates);

        Assert.Equal(IdCandidate.Of(doc, "dir/records.jsonl:14"), candidate);
        Assert.Equal(0, ids.Collisions);
    }
}
