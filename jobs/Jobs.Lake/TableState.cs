namespace Jobs.Lake;

/// <summary>
/// Log replay (PROTOCOL.md "Action Reconciliation"): the latest protocol and metadata win, a file's latest add or
/// remove wins (keyed by the path string exactly as logged), and the latest txn version per application id wins.
/// </summary>
internal sealed class TableState
{
    public ProtocolAction? Protocol { get; private set; }
    public MetadataAction? Metadata { get; private set; }
    public Dictionary<string, AddFile> Files { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, RemoveFile> Tombstones { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, TxnAction> Txns { get; } = new(StringComparer.Ordinal);

    public void Apply(CommitActions actions)
    {
        Protocol = actions.Protocol ?? Protocol;
        Metadata = actions.Metadata ?? Metadata;
        foreach (var t in actions.Txns) Txns[t.AppId] = t;
        foreach (var r in actions.Removes)
        {
            Files.Remove(r.Path);
            Tombstones[r.Path] = r;
        }
        foreach (var a in actions.Adds)
        {
            Files[a.Path] = a;
            Tombstones.Remove(a.Path);
        }
    }
}
