using System.Text.RegularExpressions;
using Azure.Storage.Blobs;

namespace Jobs.Lake;

/// <summary>Opens the storage a lake location names: a local folder, or az://container/prefix on Azure Blob Storage.</summary>
public static partial class LakeStorage
{
    /// <summary>The standard variable the Azure SDKs and CLI read the storage connection string from.</summary>
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <param name="location">A folder path (relative or absolute), file:///path, or az://&lt;container&gt;/&lt;prefix&gt;.</param>
    /// <param name="environment">Reads environment variables; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    /// <exception cref="ArgumentException">A malformed or unsupported location, an existing file, or a missing connection string.</exception>
    public static ILakeStorage Open(string location, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        environment ??= Environment.GetEnvironmentVariable;
        if (SchemeOf(location) is not { } scheme) return new LocalLakeStorage(location);
        switch (scheme.ToLowerInvariant())
        {
            case "az":
                var (container, prefix) = ParseAz(location);
                return new AzureBlobLakeStorage(ContainerClient(container, environment), prefix);
            case "file" when Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.IsFile:
                return new LocalLakeStorage(uri.LocalPath);
            default:
                throw new ArgumentException($"lake location {location}: unsupported scheme '{scheme}://' (use a folder path or az://<container>/<prefix>)", nameof(location));
        }
    }

    private static string? SchemeOf(string location) => SchemeRegex().Match(location) is { Success: true } m ? m.Groups[1].Value : null;

    private static (string Container, string Prefix) ParseAz(string location)
    {
        var rest = location[(location.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (!ContainerRegex().IsMatch(container) || container.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException(
                $"lake location {location}: '{container}' is not a valid container name (3-63 lowercase letters, digits and single hyphens); expected az://<container>/<prefix>",
                nameof(location));
        if (prefix.Split('/').Any(p => p is "." or ".." || (p.Length == 0 && prefix.Length > 0)) || prefix.Contains('\\', StringComparison.Ordinal))
            throw new ArgumentException($"lake location {location}: the prefix must be '/'-separated names without empty, '.' or '..' parts", nameof(location));
        return (container, prefix);
    }

    private static BlobContainerClient ContainerClient(string container, Func<string, string?> environment)
    {
        if (environment(ConnectionStringVariable) is not { Length: > 0 } connectionString)
            throw new ArgumentException($"an az:// lake location needs the storage connection string in the {ConnectionStringVariable} environment variable, which is not set");
        try
        {
            return new BlobServiceClient(connectionString).GetBlobContainerClient(container);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // Neither the connection string nor the parser's message (which may quote it) goes into the error.
            throw new ArgumentException($"{ConnectionStringVariable} is not a valid Azure Storage connection string");
        }
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.-]+)://")]
    private static partial Regex SchemeRegex();

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$")]
    private static partial Regex ContainerRegex();
}
