using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace EcgStream.Cluster;

/// <summary>
/// A NATS JetStream cluster of <c>nats-server</c> processes on loopback (the demo's and the tests'): free ports,
/// a temporary store folder per node, client and route credentials generated per cluster (the client's a user and
/// password, or an nkey whose seed only the client side holds). Nodes can be killed
/// (SIGKILL) and restarted on the same store, as a machine loss and its return.
/// </summary>
public sealed class LoopbackNatsCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly bool _ownsRoot;
    private readonly Process?[] _nodes;
    private readonly Process?[] _watches;
    private readonly string[] _configs;

    private LoopbackNatsCluster(string root, bool ownsRoot, int[] clientPorts, string[] configs, string user, string password, string? nkeySeed)
    {
        NkeySeed = nkeySeed;
        _root = root;
        _ownsRoot = ownsRoot;
        _configs = configs;
        _nodes = new Process?[configs.Length];
        _watches = new Process?[configs.Length];
        ClientPorts = clientPorts;
        User = user;
        Password = password;
    }

    public IReadOnlyList<int> ClientPorts { get; }
    public IReadOnlyList<string> Urls => ClientPorts.Select(p => $"nats://127.0.0.1:{p}").ToList();
    /// <summary>The client user and password (empty when the cluster requires an nkey).</summary>
    public string User { get; }
    public string Password { get; }
    /// <summary>The client nkey seed when the cluster was started with <c>nkeys: true</c>: the servers know only its public key.</summary>
    public string? NkeySeed { get; }
    public int Nodes => _configs.Length;
    public string StoreRoot => _root;

    /// <summary>The nats-server binary: NATS_SERVER, /usr/sbin/nats-server (Debian), or on PATH; null if none.</summary>
    public static string? FindServer()
    {
        if (Environment.GetEnvironmentVariable("NATS_SERVER") is { Length: > 0 } env) return File.Exists(env) ? env : null;
        foreach (var candidate in new[] { "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server" })
            if (File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "nats-server"))) return Path.Combine(dir, "nats-server");
        return null;
    }

    /// <summary>Settings that reach this cluster with its credentials (streams replicated on every node, at most 3).</summary>
    public ClusterSettings Settings(string site = "site1") => new()
    {
        Urls = Urls,
        User = User,
        Password = Password,
        NkeySeed = NkeySeed,
        Site = site,
        Replicas = Math.Min(3, Nodes),
    };

    /// <param name="nkeys">Clients authenticate with an nkey (a user key pair generated here) instead of a user and password.</param>
    public static async Task<LoopbackNatsCluster> StartAsync(int nodes, string? storeRoot = null, CancellationToken ct = default, bool nkeys = false)
    {
        // A free port is found by binding to port 0 and letting go: another process (tests run in parallel) can take it
        // before nats-server binds it. A node that exits on "address already in use" is started again on fresh ports.
        for (int attempt = 1; ; attempt++)
        {
            try { return await StartOnceAsync(nodes, storeRoot, ct, nkeys); }
            catch (PortTakenException) when (attempt < 3) { }
        }
    }

    private sealed class PortTakenException(string message) : InvalidOperationException(message);

    private static async Task<LoopbackNatsCluster> StartOnceAsync(int nodes, string? storeRoot, CancellationToken ct, bool nkeys)
    {
        if (nodes < 1) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "at least one node");
        var server = FindServer() ?? throw new ClusterConfigException("nats-server not found (install the Debian package nats-server, or set NATS_SERVER)");
        bool owns = storeRoot is null;
        string root = storeRoot ?? Directory.CreateTempSubdirectory("ecgstream-nats-").FullName;
        string user = "ecgstream", password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string? seed = null, clientAuth = $"{{ user: \"{user}\", password: \"{password}\" }}";
        if (nkeys)
        {
            using var pair = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
            seed = pair.GetSeed();
            clientAuth = $"{{ nkey: \"{pair.GetPublicKey()}\" }}";
            user = password = "";
        }
        string routePassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var clientPorts = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        var routePorts = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        var configs = new string[nodes];
        for (int i = 0; i < nodes; i++)
        {
            string dir = Path.Combine(root, $"n{i + 1}");
            Directory.CreateDirectory(dir);
            string cluster = nodes == 1 ? "" : $$"""
                cluster {
                  name: "ecgstream"
                  listen: "127.0.0.1:{{routePorts[i]}}"
                  authorization { user: "route", password: "{{routePassword}}" }
                  routes: [{{string.Join(", ", routePorts.Where((_, j) => j != i).Select(p => $"\"nats-route://route:{routePassword}@127.0.0.1:{p}\""))}}]
                }
                """;
            string config = $$"""
                server_name: "n{{i + 1}}"
                listen: "127.0.0.1:{{clientPorts[i]}}"
                log_file: "{{Path.Combine(dir, "server.log")}}"
                jetstream { store_dir: "{{dir}}", max_memory_store: 268435456, max_file_store: 8589934592 }
                authorization { users: [ {{clientAuth}} ] }
                {{cluster}}
                """;
            configs[i] = Path.Combine(dir, "server.conf");
            await File.WriteAllTextAsync(configs[i], config, ct);
        }
        var c = new LoopbackNatsCluster(root, owns, clientPorts, configs, user, password, seed) { _server = server };
        for (int i = 0; i < nodes; i++) c.StartNode(i);
        try
        {
            for (int i = 0; i < nodes; i++) await c.WaitListeningAsync(i, TimeSpan.FromSeconds(15), ct);
        }
        catch (InvalidOperationException e)
        {
            // read the logs before the cluster's folder goes with it
            bool taken = Enumerable.Range(0, nodes).Any(i =>
            {
                try { return File.ReadAllText(Path.Combine(Path.GetDirectoryName(configs[i])!, "server.log")).Contains("address already in use", StringComparison.Ordinal); }
                catch (IOException) { return false; }
            });
            await c.DisposeAsync();
            if (taken) throw new PortTakenException(e.Message);
            throw;
        }
        return c;
    }

    private string _server = "";

    public bool IsRunning(int node) => _nodes[node] is { HasExited: false };

    /// <summary>SIGKILL: the node vanishes as a machine would (no goodbye to the cluster).</summary>
    public void Kill(int node)
    {
        if (_watches[node] is { } watch)
        {
            if (!watch.HasExited) { watch.Kill(); watch.WaitForExit(5000); }
            watch.Dispose();
            _watches[node] = null;
        }
        if (_nodes[node] is not { HasExited: false } p) return;
        p.Kill();
        p.WaitForExit(5000);
        p.Dispose();
        _nodes[node] = null;
    }

    /// <summary>Starts a killed node again on its own store; it catches up with the streams' leaders.</summary>
    public async Task RestartAsync(int node, CancellationToken ct = default)
    {
        Kill(node);
        StartNode(node);
        await WaitListeningAsync(node, TimeSpan.FromSeconds(15), ct);
    }

    /// <summary>
    /// Watches a node for this process: nats-server cannot be told to follow its starter, and a demo or test host killed
    /// with SIGKILL left its nodes running for ever. The shell, a child of this process, ends the node (SIGTERM) within
    /// about a second of being handed to another parent (this process ended, even as an unreaped zombie), then removes
    /// the node's store when the cluster owns it (a temporary folder) and the root once it is empty, as
    /// <see cref="DisposeAsync"/> would have; it ends itself once the node has gone.
    /// </summary>
    private const string NodeWatch = """
        exec </dev/null >/dev/null 2>&1
        # alive: the node's process, not a zombie nobody reaps, not another process given its id (its start time)
        started=$(cut -d' ' -f22 /proc/$1/stat 2>/dev/null) || exit 0
        alive() { read -r _ _ state _ < /proc/$1/stat 2>/dev/null && [ "$state" != Z ] && [ "$(cut -d' ' -f22 /proc/$1/stat 2>/dev/null)" = "$started" ]; }
        while alive "$1"; do
          ppid=""
          read -r _ _ _ ppid _ < /proc/$$/stat 2>/dev/null
          if [ -n "$ppid" ] && [ "$ppid" != "$2" ]; then
            kill -TERM "$1" 2>/dev/null
            waited=0
            while alive "$1"; do
              sleep 0.2; waited=$((waited + 1))
              [ $waited -eq 50 ] && kill -KILL "$1" 2>/dev/null
            done
            [ -z "$3" ] || { rm -rf "$3"; rmdir "$(dirname "$3")" 2>/dev/null; }
            exit 0
          fi
          sleep 1
        done
        """;

    private void StartNode(int i)
    {
        var psi = new ProcessStartInfo(_server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(_configs[i]);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"nats-server did not start ({_server})");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _nodes[i] = p;
        var watch = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", NodeWatch, "nats-node-watch", p.Id.ToString(CultureInfo.InvariantCulture), Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                     _ownsRoot ? Path.GetDirectoryName(_configs[i])! : "" })
            watch.ArgumentList.Add(a);
        _watches[i] = Process.Start(watch);
    }

    private async Task WaitListeningAsync(int i, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_nodes[i] is { HasExited: true } p)
                throw new InvalidOperationException($"nats-server node {i + 1} exited with {p.ExitCode}; see {Path.Combine(Path.GetDirectoryName(_configs[i])!, "server.log")}");
            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(IPAddress.Loopback, ClientPorts[i], ct);
                return;
            }
            catch (SocketException) when (clock.Elapsed < timeout) { await Task.Delay(50, ct); }
        }
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public ValueTask DisposeAsync()
    {
        for (int i = 0; i < _nodes.Length; i++) Kill(i);
        if (_ownsRoot)
        {
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return ValueTask.CompletedTask;
    }
}
