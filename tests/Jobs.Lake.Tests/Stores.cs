using Jobs.Testing;
using Xunit;

[assembly: AssemblyFixture(typeof(Azurite))]

namespace Jobs.Lake.Tests;

/// <summary>Fresh, empty lakes of either kind: "local" (a temp folder) or "azure" (a new container in the shared Azurite).</summary>
public sealed class Stores(Azurite azurite) : IDisposable
{
    public const string Local = "local";
    public const string Azure = "azure";

    private readonly TempDirectory _dir = new("stores");

    public Azurite Azurite => azurite;

    public async Task<ILakeStorage> NewAsync(string kind, CancellationToken cancellationToken) => kind switch
    {
        Local => new LocalLakeStorage(_dir.Combine(Guid.NewGuid().ToString("N"))),
        Azure => LakeStorage.Open(await azurite.CreateLakeLocationAsync("lake", cancellationToken), azurite.Environment),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "local or azure"),
    };

    public void Dispose() => _dir.Dispose();
}
