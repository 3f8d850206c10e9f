using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Storage.Blobs;

namespace Jobs.Testing;

/// <summary>
/// A real Azure Blob Storage emulator (Azurite, installed in tools/azurite by tools/provision-azurite.sh) on a free
/// loopback port with its data in a temp folder. Started on first use, so it can be an xunit class or assembly fixture
/// (xunit disposes it: the process tree is killed and the folder deleted). Missing node or azurite fails the test
/// with a message saying how to install it; it never skips.
/// </summary>
/// <example><code>
/// public sealed class MyTests(Azurite azurite) : IClassFixture&lt;Azurite&gt; { ...
///     var location = await azurite.CreateLakeLocationAsync(ct);   // az://t-…/lake, fresh container
///     var lake = LakeStorage.Open(location, azurite.Environment);  // AZURE_STORAGE_CONNECTION_STRING from the emulator
/// </code></example>
public sealed class Azurite : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    /// <summary>Azurite's well-known development key (public, documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180); // a loaded CI machine starts node slowly
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _dataDir;
    private string? _connectionString;

    /// <summary>The emulator's main script.</summary>
    public static string MainScript => Path.Combine(RepoPaths.Root, "tools", "azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js");

    public int Port { get; private set; }

    /// <summary>The connection string (valid once started: use <see cref="GetConnectionStringAsync"/> to start it).</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("Azurite is not started yet; await GetConnectionStringAsync first");

    /// <summary>An environment for <c>LakeStorage.Open</c>: AZURE_STORAGE_CONNECTION_STRING is this emulator, nothing else is set.</summary>
    public string? Environment(string name) => name == "AZURE_STORAGE_CONNECTION_STRING" ? ConnectionString : null;

    public async Task<string> GetConnectionStringAsync(CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return ConnectionString;
    }

    /// <summary>A new, empty container with a unique name.</summary>
    public async Task<BlobContainerClient> CreateContainerAsync(CancellationToken cancellationToken = default)
    {
        var service = new BlobServiceClient(await GetConnectionStringAsync(cancellationToken).ConfigureAwait(false));
        var container = service.GetBlobContainerClient($"t-{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return container;
    }

    /// <summary>az://&lt;new container&gt;/<paramref name="prefix"/>, for <c>LakeStorage.Open(location, azurite.Environment)</c>.</summary>
    public async Task<string> CreateLakeLocationAsync(string prefix = "lake", CancellationToken cancellationToken = default)
    {
        var container = await CreateContainerAsync(cancellationToken).ConfigureAwait(false);
        return $"az://{container.Name}/{prefix}";
    }

    /// <summary>The names of the blobs in the container of an az://container/prefix location.</summary>
    public async Task<IReadOnlyList<string>> ListBlobNamesAsync(string location, CancellationToken cancellationToken = default)
    {
        var container = location["az://".Length..].Split('/')[0];
        var client = new BlobServiceClient(await GetConnectionStringAsync(cancellationToken).ConfigureAwait(false)).GetBlobContainerClient(container);
        var names = new List<string>();
        await foreach (var blob in client.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)) names.Add(blob.Name);
        return names;
    }

    public async Task EnsureStartedAsync(CancellationToken cancellationToken = default)
    {
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connectionString is not null) return;
            if (!File.Exists(MainScript))
                throw new InvalidOperationException($"Azurite is not installed ({MainScript} is missing): run tools/provision-azurite.sh (make test-deps)");
            // Another process may take the free port between our probe and Azurite's bind: try a few ports.
            for (var attempt = 1; ; attempt++)
            {
                if (await TryStartAsync(cancellationToken).ConfigureAwait(false)) return;
                if (attempt == 3)
                    throw new InvalidOperationException($"Azurite did not start on 127.0.0.1 (node {MainScript}); its output:\n{Output()}");
            }
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        Port = FreePort();
        _dataDir ??= Directory.CreateTempSubdirectory("azurite-").FullName;
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                MainScript, "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--location", _dataDir, "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run node for Azurite ({e.Message}): install Node.js 20+ and run tools/provision-azurite.sh", e);
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                Append($"(exited with code {process.ExitCode})");
                await KillAsync().ConfigureAwait(false);
                return false;
            }
            if (await AnswersAsync(cancellationToken).ConfigureAwait(false))
            {
                _connectionString = $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/{AccountName};";
                return true;
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        await KillAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"Azurite did not answer on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds:F0} s; its output:\n{Output()}");
    }

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private string Output()
    {
        lock (_output) return _output.ToString();
    }

    private async Task KillAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _connectionString = null;
        if (_dataDir is not null)
        {
            try { Directory.Delete(_dataDir, recursive: true); }
            catch (IOException) { /* best effort */ }
        }
        _startLock.Dispose();
    }
}
