using System.Globalization;

namespace Jobs.Ingest;

/// <summary>
/// Where every record read went. <see cref="Problems"/> proves none was lost: the records read equal documents +
/// quarantined + exact duplicates + other chunks, and equal <see cref="Input"/>, the records counted by a separate
/// scan of the files (lines or CSV records), so a reader that skips or invents a record is caught.
/// </summary>
public sealed class IngestCounts
{
    public long Input { get; set; }
    public long Read { get; set; }
    public long Accepted { get; set; }
    public long Quarantined { get; set; }
    /// <summary>Of <see cref="Quarantined"/>, those whose timestamp could not be read (they belong to no chunk).</summary>
    public long QuarantinedUndated { get; set; }
    /// <summary>Exact duplicates (same id, same content) of a record already taken: counted and dropped.</summary>
    public long Duplicates { get; set; }
    /// <summary>Well-dated records of other date chunks: their own chunk's run ingests them.</summary>
    public long OtherChunks { get; set; }
    public long Files { get; set; }
    public long Bytes { get; set; }

    /// <summary>Quarantined share of this chunk's dated records (documents + quarantined + duplicates).</summary>
    public double DatedShare => Share(Quarantined - QuarantinedUndated, Accepted + Quarantined - QuarantinedUndated + Duplicates);

    /// <summary>Share of undated records among all records read (undated records belong to every chunk's run).</summary>
    public double UndatedShare => Share(QuarantinedUndated, Read);

    public IEnumerable<string> Problems()
    {
        if (Read != Accepted + Quarantined + Duplicates + OtherChunks)
            yield return $"records read {Read} != documents {Accepted} + quarantined {Quarantined} + duplicates {Duplicates} + other chunks {OtherChunks}";
        if (Read != Input)
            yield return $"records read {Read} != {Input} records counted in the input files";
    }

    public IEnumerable<string> GateProblems(double maxShare)
    {
        if (DatedShare > maxShare)
            yield return string.Create(CultureInfo.InvariantCulture, $"{DatedShare * 100:F1}% of the chunk's records were quarantined ({Quarantined - QuarantinedUndated} of {Accepted + Quarantined - QuarantinedUndated + Duplicates}), over --max-quarantined-share {maxShare}: check the field mapping and the quarantine table");
        if (UndatedShare > maxShare)
            yield return string.Create(CultureInfo.InvariantCulture, $"{UndatedShare * 100:F1}% of the records read have no readable timestamp ({QuarantinedUndated} of {Read}), over --max-quarantined-share {maxShare}: check --time-field and --time-format");
    }

    private static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}
