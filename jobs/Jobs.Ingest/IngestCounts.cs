namespace Jobs.Ingest;

/// <summary>Where every record read went; <see cref="Reconciles"/> proves none was lost.</summary>
public sealed class IngestCounts
{
    public long Read { get; set; }
    public long Accepted { get; set; }
    public long Quarantined { get; set; }
    /// <summary>Well-dated records of other date chunks: their own chunk's run ingests them.</summary>
    public long OtherChunks { get; set; }

    public bool Reconciles => Read == Accepted + Quarantined + OtherChunks;
}
