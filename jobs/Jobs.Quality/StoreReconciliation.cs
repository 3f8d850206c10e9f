namespace Jobs.Quality;

/// <summary>
/// Checks after load: the serving store holds exactly the lake's rows of the date chunk. The cheap comparison is of
/// counts and checksums over (id, content hash); only when they differ are the rows compared, to name which ids are
/// missing from the store, extra in it, or changed.
/// </summary>
public static class StoreReconciliation
{
    /// <param name="lake">Count and checksum of the lake's rows.</param>
    /// <param name="store">Count and checksum of the store's rows.</param>
    /// <param name="rows">When the digests differ: the lake's and the store's rows (id → hash), to name the differences.</param>
    public static CheckResult Compare(string name, (long Count, decimal Checksum) lake, (long Count, decimal Checksum) store,
        Func<(IReadOnlyDictionary<string, string> Lake, IReadOnlyDictionary<string, string> Store)> rows, int keep)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (lake == store) return new CheckResult(CheckPoint.Load, name, Severity.Error, true, 0, 0, lake.Count, 0, []);
        var (lakeRows, storeRows) = rows();
        var differences = new SampleTally(keep);
        foreach (var (id, hash) in lakeRows.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!storeRows.TryGetValue(id, out var stored)) differences.Fail("missing " + id);
            else if (stored != hash) differences.Fail("changed " + id);
        }
        foreach (var id in storeRows.Keys.Where(id => !lakeRows.ContainsKey(id)).Order(StringComparer.Ordinal)) differences.Fail("extra " + id);
        // Equal rows but different digests cannot happen unless the lake changed between the two reads: still a failure.
        var observed = Math.Max(differences.Count, 1);
        return new CheckResult(CheckPoint.Load, name, Severity.Error, false, observed, 0, lake.Count, differences.Count, differences.Samples);
    }
}
