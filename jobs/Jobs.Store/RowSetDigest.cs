using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Jobs.Store;

/// <summary>
/// An order-independent fingerprint of a set of (id, content hash) rows: their count, and the sum of the first 64 bits
/// (signed, big-endian) of MD5(id ':' hash) over the rows. The same sum is computed inside PostgreSQL by
/// <see cref="SqlSum"/>, so the lake and the store can be compared without moving the rows; equal digests mean equal
/// sets unless a row changed in a way that MD5 collides on.
/// </summary>
public readonly record struct RowSetDigest(long Count, decimal Checksum)
{
    /// <summary>The SQL aggregate of the checksum over columns <paramref name="id"/> and <paramref name="hash"/> (a null hash counts as empty).</summary>
    public static string SqlSum(string id, string hash) =>
        $"coalesce(sum(('x' || substr(md5({id} || ':' || coalesce({hash}, '')), 1, 16))::bit(64)::bigint), 0)";

    public static long Term(string id, string? hash)
    {
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(Encoding.UTF8.GetBytes(id + ":" + (hash ?? "")), digest);
        return BinaryPrimitives.ReadInt64BigEndian(digest);
    }

    public RowSetDigest Add(string id, string? hash) => new(Count + 1, Checksum + Term(id, hash));

    public override string ToString() => $"{Count} rows, checksum {Checksum}";
}
