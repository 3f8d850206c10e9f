using System.Security.Cryptography;
using System.Text;

namespace Jobs.Contracts;

/// <summary>SHA-256 hex digests used as content addresses (document and chunk hashes, chunk ids).</summary>
public static class ContentHash
{
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Hash of several parts joined with a separator that cannot occur in them.</summary>
    public static string Of(params string[] parts) => Of(string.Join('\u001F', parts));
}
