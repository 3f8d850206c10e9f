using System.Security.Cryptography;
using System.Text;

namespace Jobs.Contracts;

/// <summary>SHA-256 hex digests used as content addresses (document and chunk hashes, chunk ids).</summary>
public static class ContentHash
{
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Hash of several parts joined with a separator that cannot occur in them.</summary>
    public static string Of(params string[] parts) => Of(string.Join('\u001F', parts));

    /// <summary>
    /// The content address of a passage as the embedder sees it: its text and the context given with it (the
    /// document's title), so a changed title re-embeds; a passage without context keeps the hash of its text alone.
    /// </summary>
    public static string OfPassage(string? context, string text) => string.IsNullOrEmpty(context) ? Of(text) : Of(context, text);
}
