using System.Globalization;
using System.Text.RegularExpressions;
using EcgStream.Synthetic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace EcgStream.Daemon.Configuration;

/// <summary>
/// Reads the configuration from a JSON file (<c>--config FILE</c>), then environment variables
/// with the <c>ECGSTREAM_</c> prefix (<c>ECGSTREAM_SINKS__JSONL=stdout</c>), then the command line
/// (<c>--sinks:jsonl=stdout</c>, <c>--beds:0:source:port=7000</c>); later sources win. Every field is
/// checked here, so a bad configuration is refused at start with a <see cref="ConfigException"/>
/// naming where the value came from, its field path (<c>beds[1].source.port</c>) and the problem.
/// Unknown keys in the file or on the command line are refused too (a typo must not silently
/// become a default); unknown environment variables are ignored, since the prefix is shared with
/// the CLI's own variables.
/// </summary>
public static partial class ConfigLoader
{
    public const string EnvironmentPrefix = "ECGSTREAM_";

    /// <summary>Splits <c>--config FILE</c> off <paramref name="args"/> and loads everything.</summary>
    public static DaemonConfig Load(string[] args, bool environment = true)
    {
        string? file = null;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Length) throw new ConfigException("command line", "--config", "expects a file path");
                file = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal)) file = args[i]["--config=".Length..];
            else rest.Add(args[i]);
        }
        return Load(file, rest.ToArray(), environment);
    }

    public static DaemonConfig Load(string? file, string[] commandLine, bool environment = true)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            var full = System.IO.Path.GetFullPath(file);
            if (!File.Exists(full)) throw new ConfigException(file, "(file)", "no such file");
            if (Core.Files.RegularFiles.Problem(full) is { } why) throw new ConfigException(file, "(file)", why);
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        if (environment) builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddCommandLine(commandLine);
        IConfigurationRoot root;
        try { root = builder.Build(); }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new ConfigException(file ?? "command line", "(file)", SyntaxProblem(e));
        }
        return new Reader(root, file).Read();
    }

    /// <summary>
    /// "line 3, position 17: …" from the JSON reader's error (its line and byte position are 0-based);
    /// other provider errors (a duplicate key) as they are.
    /// </summary>
    private static string SyntaxProblem(Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x is System.Text.Json.JsonException { LineNumber: { } line, BytePositionInLine: { } pos } j)
            {
                // the reader's message repeats the position after " LineNumber:"; keep its first sentence
                string what = j.Message;
                int cut = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
                if (cut > 0) what = what[..cut].TrimEnd(' ', '.');
                return $"invalid JSON at line {line + 1}, position {pos + 1}: {what}";
            }
        return e.InnerException is { } i ? $"{e.Message} {i.Message}" : e.Message;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex BedIdPattern();

    /// <summary>One NATS subject token, as <see cref="EcgStream.Cluster.ClusterSettings.CheckToken"/> allows.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SubjectToken();

    /// <summary>Walks the configuration tree, checking each field against its rule.</summary>
    private sealed class Reader(IConfigurationRoot root, string? file)
    {
        private static readonly string[] TopKeys = ["listen", "model", "modelQueue", "beds", "sinks", "http", "otlp", "cluster"];
        private static readonly string[] ClusterKeys = ["role", "urls", "user", "password", "passwordFile", "nkeySeedFile", "site", "replicas", "consumer", "start", "bufferBlocks"];
        private static readonly string[] OtlpKeys = ["endpoint", "protocol", "intervalSeconds"];
        private static readonly string[] HttpKeys =
            ["token", "tokenFile", "allowedHosts", "allowedOrigins", "maxClients", "slowClientSeconds", "allowInsecureRemote", "certificate", "certificatePassword"];
        private static readonly string[] BedKeys = ["id", "source", "notch", "hop", "signalLossSeconds", "maxGapSeconds", "record", "recordSegmentMinutes", "recordGain", "fusion"];
        private static readonly string[] FusionKeys = ["modelConfidentEvidence", "ruleConfidentEvidence", "notAgainstEvidence", "minOnsetSeconds", "minOffsetSeconds", "afOnsetEvidence"];
        private static readonly string[] SourceKeys =
            ["kind", "host", "port", "address", "path", "baud", "scenario", "seed", "speed", "loop", "decoder", "handle", "reconnectInitialSeconds", "reconnectMaxSeconds", "idleSeconds", "allowRemote"];
        private static readonly string[] SinkKeys = ["jsonl", "sse", "webSocket", "clientBuffer", "wfdb", "wfdbIntervalSeconds", "stripRate"];

        public DaemonConfig Read()
        {
            CheckKeys(root, TopKeys);
            var listen = Str(root, "listen") ?? "http://127.0.0.1:8370";
            if (!Uri.TryCreate(listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                Fail("listen", $"\"{listen}\" is not a URL such as http://127.0.0.1:8370");
            string? model = Str(root, "model");
            if (model is { Length: > 0 } && !model.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                if (!File.Exists(model)) Fail("model", $"\"{model}\": no such file");
                NotSpecial("model", model);
            }
            else model = null;
            int queue = Int(root, "modelQueue", 256, 1, 1 << 16);

            var bedsSection = root.GetSection("beds");
            var beds = new List<BedConfig>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bed in Children(bedsSection))
            {
                var b = ReadBed(bed);
                if (!ids.Add(b.Id)) Fail(bed.GetSection("id").Path, $"\"{b.Id}\" is used by another bed");
                beds.Add(b);
            }
            CheckListeners(bedsSection, beds, uri!);
            var cluster = ReadCluster(root.GetSection("cluster"));
            if (cluster?.Role == ClusterRole.Central)
            {
                // the events come from the workers; a bed here would analyse outside the cluster
                if (beds.Count > 0) Fail("beds", "a central daemon (cluster.role central) has no local beds: its events come from the cluster; remove them, or use cluster.role gateway");
            }
            else if (beds.Count == 0) Fail("beds", "at least one bed is required");
            if (cluster?.Role == ClusterRole.Gateway)
                foreach (var (bed, i) in beds.Select((b, i) => (b, i)))
                    if (!SubjectToken().IsMatch(bed.Id))
                        Fail($"beds:{i}:id", $"\"{bed.Id}\": a gateway's bed id is a NATS subject token (ecg.<site>.<bed>): 1–64 of A-Z a-z 0-9 _ -, no '.'");
            var http = ReadHttp(root.GetSection("http"), uri!);
            var sinks = ReadSinks(root.GetSection("sinks"));
            if (cluster?.Role == ClusterRole.Central && sinks.Wfdb is not null)
                Fail("sinks:wfdb", "not available in cluster.role central: annotation files need each bed's sample rate, which the events stream does not carry");
            return new DaemonConfig { Listen = listen, ModelPath = model, ModelQueue = queue, Beds = beds, Sinks = sinks, Http = http,
                Otlp = ReadOtlp(root.GetSection("otlp")), Cluster = cluster };
        }

        /// <summary>
        /// tcp-server beds each need a port of their own (one would never bind), and not the HTTP one. Port 0 (any free
        /// port) never clashes; the any-address clashes with every address.
        /// </summary>
        private void CheckListeners(IConfigurationSection bedsSection, List<BedConfig> beds, Uri listen)
        {
            var sections = Children(bedsSection).ToList();
            for (int i = 0; i < beds.Count; i++)
            {
                var a = beds[i].Source;
                if (a.Kind != SourceKind.TcpServer || a.Port == 0) continue;
                string port = sections[i].GetSection("source:port").Path;
                if (a.Port == listen.Port) Fail(port, $"{a.Port} is the HTTP listen port (listen: {listen.OriginalString}); give the bed another port");
                for (int j = 0; j < i; j++)
                {
                    var b = beds[j].Source;
                    if (b.Kind == SourceKind.TcpServer && b.Port == a.Port && Overlap(a.Address, b.Address))
                        Fail(port, $"{a.Port} on {a.Address} is already the port of bed \"{beds[j].Id}\" ({FieldName(sections[j].Path)}); each tcp-server bed needs its own");
                }
            }

            static bool Overlap(string x, string y)
            {
                var a = System.Net.IPAddress.Parse(x);
                var b = System.Net.IPAddress.Parse(y);
                bool any(System.Net.IPAddress ip) => ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any);
                return a.Equals(b) || any(a) || any(b);
            }
        }

        /// <summary>The cluster section; null when absent (a daemon on its own). Credentials are required: there is no anonymous mode.</summary>
        private ClusterConfig? ReadCluster(IConfigurationSection s)
        {
            if (!s.Exists()) return null;
            if (s.Value is not null) Fail(s.Path, "expected an object { role, urls, user, passwordFile, ... }");
            CheckKeys(s, ClusterKeys);
            string roleText = Str(s, "role") ?? Fail<string>(s.Path + ":role", "is required (central or gateway)");
            var role = roleText.ToLowerInvariant() switch
            {
                "central" => ClusterRole.Central,
                "gateway" => ClusterRole.Gateway,
                _ => Fail<ClusterRole>(s.Path + ":role", $"\"{roleText}\" is not central or gateway"),
            };
            var urls = StrList(s, "urls")?.SelectMany(u => u.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
                ?? [.. new ClusterConfig { Role = role, User = "", Password = "" }.Urls];
            if (urls.Count == 0) Fail(s.Path + ":urls", "names no server (e.g. [\"nats://127.0.0.1:4222\"])");
            foreach (var u in urls)
            {
                if (!Uri.TryCreate(u, UriKind.Absolute, out var nu) || nu.Scheme is not ("nats" or "tls") || nu.Port <= 0 || nu.AbsolutePath != "/")
                    Fail(s.Path + ":urls", $"\"{u}\" is not a server URL such as nats://127.0.0.1:4222");
                if (nu!.UserInfo.Length > 0) Fail(s.Path + ":urls", $"\"{u}\" carries credentials; give them as cluster.user and cluster.passwordFile");
            }
            string user = "", password = "";
            string? seed = ReadNkeySeed(s);
            if (seed is null)
            {
                user = Str(s, "user") is { Length: > 0 } us ? us : Fail<string>(s.Path + ":user", "is required, or cluster.nkeySeedFile (connections to the cluster authenticate)");
                password = ReadPassword(s);
            }
            string site = Str(s, "site") ?? "site1";
            if (!SubjectToken().IsMatch(site)) Fail(s.Path + ":site", $"\"{site}\" must be 1–64 of A-Z a-z 0-9 _ - (it is a subject token)");
            string consumer = Str(s, "consumer") ?? "central";
            if (!SubjectToken().IsMatch(consumer)) Fail(s.Path + ":consumer", $"\"{consumer}\" must be 1–64 of A-Z a-z 0-9 _ - (a consumer name)");
            string start = Str(s, "start") ?? "new";
            var feedStart = start.ToLowerInvariant() switch
            {
                "new" => EcgStream.Cluster.FeedStart.New,
                "all" => EcgStream.Cluster.FeedStart.All,
                _ => Fail<EcgStream.Cluster.FeedStart>(s.Path + ":start", $"\"{start}\" is not new or all"),
            };
            return new ClusterConfig
            {
                Role = role, Urls = urls, User = user, Password = password, NkeySeed = seed, Site = site,
                Replicas = Int(s, "replicas", 3, 1, 5), Consumer = consumer, Start = feedStart,
                BufferBlocks = Int(s, "bufferBlocks", 50_000, 1, 10_000_000),
            };
        }

        /// <summary>
        /// <c>nkeySeedFile</c>: a file holding an nkey user seed (<c>SU…</c>, the first line that starts with it, so the
        /// two-line output of <c>nk -gen user -pubout</c> will do), readable by its owner only; null when not given.
        /// </summary>
        private string? ReadNkeySeed(IConfigurationSection s)
        {
            if (Str(s, "nkeySeedFile") is not { Length: > 0 } file) return null;
            if (Str(s, "user") is { Length: > 0 } || Str(s, "password") is { Length: > 0 } || Str(s, "passwordFile") is { Length: > 0 })
                Fail(s.Path + ":nkeySeedFile", "give an nkey seed or a user and password, not both");
            if (!File.Exists(file)) Fail(s.Path + ":nkeySeedFile", $"\"{file}\": no such file");
            NotSpecial(s.Path + ":nkeySeedFile", file);
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                Fail(s.Path + ":nkeySeedFile", $"\"{file}\" is readable by group or others; chmod 600 it");
            string? seed;
            try { seed = File.ReadLines(file).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('S')); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Fail<string>(s.Path + ":nkeySeedFile", $"\"{file}\": {e.Message}"); }
            if (seed is null) Fail(s.Path + ":nkeySeedFile", $"\"{file}\" holds no seed (a line starting with SU)");
            try { EcgStream.Cluster.ClusterSettings.NkeyPublicKey(seed!); }
            catch (EcgStream.Cluster.ClusterConfigException e) { Fail(s.Path + ":nkeySeedFile", $"\"{file}\": {e.Message["nats: ".Length..]}"); }
            return seed;
        }

        /// <summary>
        /// <c>password</c> (from the file or the environment; the command line is refused, since any user can read
        /// another's argv) or <c>passwordFile</c> (its first line; the file may not be readable by group or others).
        /// </summary>
        private string ReadPassword(IConfigurationSection s)
        {
            string? inline = Str(s, "password");
            string? file = Str(s, "passwordFile");
            if (inline is { Length: > 0 } && file is { Length: > 0 }) Fail(s.Path + ":password", "give password or passwordFile, not both");
            if (inline is { Length: > 0 })
            {
                if (OriginOf(s.Path + ":password") == "command line")
                    Fail(s.Path + ":password", "not accepted on the command line (other users can read it there); use cluster.passwordFile or ECGSTREAM_CLUSTER__PASSWORD");
                return inline;
            }
            if (file is not { Length: > 0 }) return Fail<string>(s.Path + ":passwordFile", "is required (or cluster.password from the environment): connections to the cluster authenticate");
            if (!File.Exists(file)) Fail(s.Path + ":passwordFile", $"\"{file}\": no such file");
            NotSpecial(s.Path + ":passwordFile", file);
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                Fail(s.Path + ":passwordFile", $"\"{file}\" is readable by group or others; chmod 600 it");
            string password;
            try { password = File.ReadLines(file).FirstOrDefault()?.Trim() ?? ""; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Fail<string>(s.Path + ":passwordFile", $"\"{file}\": {e.Message}"); }
            if (password.Length == 0) Fail(s.Path + ":passwordFile", $"\"{file}\" is empty");
            return password;
        }

        private HttpConfig ReadHttp(IConfigurationSection s, Uri listen)
        {
            ExpectObject(s, "{ token, tokenFile, allowedHosts, ... }");
            CheckKeys(s, HttpKeys);
            string? token = Str(s, "token");
            if (token is { Length: 0 }) token = null;
            if (token is { Length: < 16 }) Fail(s.Path + ":token", $"is {token.Length} characters long; at least 16 are needed");
            var defaults = new HttpConfig();
            var hosts = StrList(s, "allowedHosts") ?? [.. defaults.AllowedHosts];
            // the host the daemon is reached by when it listens on a named address
            if (!IsWildcard(listen.Host) && !hosts.Contains(listen.Host, StringComparer.OrdinalIgnoreCase)) hosts.Add(listen.Host);
            var origins = StrList(s, "allowedOrigins") ?? [];
            foreach (var o in origins)
                if (!Uri.TryCreate(o, UriKind.Absolute, out var ou) || ou.Scheme is not ("http" or "https") || ou.AbsolutePath != "/")
                    Fail(s.Path + ":allowedOrigins", $"\"{o}\" is not an origin such as https://station.example:8443");
            bool insecure = Bool(s, "allowInsecureRemote", false);
            string? cert = Str(s, "certificate");
            bool loopback = listen.IsLoopback;
            if (listen.Scheme == "http" && !loopback && !insecure)
                Fail("listen", $"\"{listen.OriginalString}\" is not a loopback address and is plain http (patient data in clear); use https with http.certificate, or set http.allowInsecureRemote to true behind a TLS proxy");
            if (listen.Scheme == "https" && cert is null) Fail("listen", $"\"{listen.OriginalString}\" is https: http.certificate (a PKCS#12 .pfx file) is required");
            if (cert is not null && !File.Exists(cert)) Fail(s.Path + ":certificate", $"\"{cert}\": no such file");
            if (cert is not null) NotSpecial(s.Path + ":certificate", cert);
            return new HttpConfig
            {
                Token = token,
                TokenFile = Str(s, "tokenFile") is { Length: > 0 } tf
                    ? Directory.Exists(tf) ? Fail<string>(s.Path + ":tokenFile", $"\"{tf}\" is a directory; expected a file path") : tf
                    : null,
                AllowedHosts = hosts,
                AllowedOrigins = origins,
                MaxClients = Int(s, "maxClients", defaults.MaxClients, 1, 10_000),
                SlowClientSeconds = Dbl(s, "slowClientSeconds", defaults.SlowClientSeconds, 1, 3600),
                AllowInsecureRemote = insecure,
                Certificate = cert,
                CertificatePassword = Str(s, "certificatePassword"),
            };
        }

        private static bool IsWildcard(string host) => host is "0.0.0.0" or "[::]" or "::" or "*" or "+";

        private List<string>? StrList(IConfigurationSection s, string key)
        {
            var sec = s.GetSection(key);
            if (!sec.Exists()) return null;
            if (sec.Value is { Length: > 0 } one) return [one];
            return Children(sec).Select(c => c.Value ?? Fail<string>(c.Path, "expected a string")).ToList();
        }

        private BedConfig ReadBed(IConfigurationSection s)
        {
            if (s.Value is not null) Fail(s.Path, "expected an object { id, source, ... }");
            CheckKeys(s, BedKeys);
            string id = Str(s, "id") ?? Fail<string>(s.Path + ":id", "is required");
            if (!BedIdPattern().IsMatch(id)) Fail(s.Path + ":id", $"\"{id}\" must be 1–64 letters, digits, '.', '_' or '-' (it names files)");
            int? notch = s.GetSection("notch").Value is null ? null : Int(s, "notch", 0, 0, 1000);
            if (notch is not (null or 50 or 60)) Fail(s.Path + ":notch", $"{notch} Hz: expected 50 or 60");
            double hop = Dbl(s, "hop", 1.0, 0.04, 9);
            double loss = Dbl(s, "signalLossSeconds", BedConfig.DefaultSignalLossSeconds, 0.1, 3600);
            double maxGap = Dbl(s, "maxGapSeconds", EcgStream.Runtime.Pipeline.BedOptions.DefaultMaxGapFillSeconds, 0.1, 3600);
            var src = s.GetSection("source");
            if (!src.Exists()) Fail(src.Path, "is required");
            string? record = Str(s, "record") is { Length: > 0 } r ? r : null;
            if (record is not null && File.Exists(record)) Fail(s.Path + ":record", $"\"{record}\" is a file; expected a directory");
            double segmentMinutes = Dbl(s, "recordSegmentMinutes", 60, 0.1, 24 * 60);
            double recordGain = Dbl(s, "recordGain", 1000, 1, 1e6);
            return new BedConfig
            {
                Id = id, Source = ReadSource(src), Notch = notch, Hop = hop, SignalLossSeconds = loss, MaxGapSeconds = maxGap,
                Record = record, RecordSegmentMinutes = segmentMinutes, RecordGain = recordGain, Fusion = ReadFusion(s.GetSection("fusion")),
            };
        }

        /// <summary>The fused source's settings (docs/events.md "Fused events"); absent keys keep the runtime's defaults.</summary>
        private FusionConfig ReadFusion(IConfigurationSection s)
        {
            var defaults = new FusionConfig();
            if (!s.Exists()) return defaults;
            if (s.Value is not null) Fail(s.Path, "expected an object { modelConfidentEvidence, ruleConfidentEvidence, notAgainstEvidence, minOnsetSeconds, minOffsetSeconds, afOnsetEvidence }");
            CheckKeys(s, FusionKeys);
            return new FusionConfig
            {
                // the fused scale puts every threshold at 0.5: "confident" lies above it, "not against" below
                ModelConfidentEvidence = Dbl(s, "modelConfidentEvidence", defaults.ModelConfidentEvidence, 0.501, 1),
                // absent: the rules never carry AF alone
                RuleConfidentEvidence = Dbl(s, "ruleConfidentEvidence", defaults.RuleConfidentEvidence, 0.501, 1),
                NotAgainstEvidence = Dbl(s, "notAgainstEvidence", defaults.NotAgainstEvidence, 0, 0.499),
                MinOnsetSeconds = Dbl(s, "minOnsetSeconds", defaults.MinOnsetSeconds, 0, 600),
                MinOffsetSeconds = Dbl(s, "minOffsetSeconds", defaults.MinOffsetSeconds, 0, 600),
                AfOnsetEvidence = Dbl(s, "afOnsetEvidence", defaults.AfOnsetEvidence, 0, 60),
            };
        }

        private SourceConfig ReadSource(IConfigurationSection s)
        {
            ExpectObject(s, "{ kind, port, ... }");
            CheckKeys(s, SourceKeys);
            string kindText = Str(s, "kind") ?? Fail<string>(s.Path + ":kind", "is required (tcp-client, tcp-server, serial, file, synthetic or ble-stdin)");
            var kind = kindText.ToLowerInvariant() switch
            {
                "tcp-client" => SourceKind.TcpClient,
                "tcp-server" => SourceKind.TcpServer,
                "serial" => SourceKind.Serial,
                "file" => SourceKind.File,
                "synthetic" => SourceKind.Synthetic,
                "ble-stdin" => SourceKind.BleStdin,
                _ => Fail<SourceKind>(s.Path + ":kind", $"\"{kindText}\" is not one of tcp-client, tcp-server, serial, file, synthetic, ble-stdin"),
            };
            var c = new SourceConfig
            {
                Kind = kind,
                Host = Str(s, "host") ?? "127.0.0.1",
                Address = Str(s, "address") ?? "127.0.0.1",
                Path = Str(s, "path"),
                Baud = Int(s, "baud", 230400, 50, 4_000_000),
                Scenario = Str(s, "scenario"),
                Seed = Int(s, "seed", 1, int.MinValue, int.MaxValue),
                Speed = Dbl(s, "speed", 1.0, 0.01, 1000),
                Loop = Bool(s, "loop", false),
                Decoder = (Str(s, "decoder") ?? "wire").ToLowerInvariant(),
                Handle = s.GetSection("handle").Value is null ? null : Int(s, "handle", 0, 0, 0xFFFF),
                ReconnectInitialSeconds = Dbl(s, "reconnectInitialSeconds", 0.5, 0.01, 3600),
                ReconnectMaxSeconds = Dbl(s, "reconnectMaxSeconds", 30, 0.01, 86400),
                IdleSeconds = Dbl(s, "idleSeconds", SourceConfig.DefaultIdleSeconds, 1, 3600),
                AllowRemote = Bool(s, "allowRemote", false),
            };
            if (c.ReconnectMaxSeconds < c.ReconnectInitialSeconds)
                Fail(s.Path + ":reconnectMaxSeconds", $"{c.ReconnectMaxSeconds} is below reconnectInitialSeconds ({c.ReconnectInitialSeconds})");
            switch (kind)
            {
                case SourceKind.TcpClient:
                    if (string.IsNullOrWhiteSpace(c.Host)) Fail(s.Path + ":host", "must not be empty");
                    return c with { Port = Int(s, "port", -1, 1, 65535, required: true) };
                case SourceKind.TcpServer:
                    if (!System.Net.IPAddress.TryParse(c.Address, out var address)) Fail(s.Path + ":address", $"\"{c.Address}\" is not an IP address");
                    if (!System.Net.IPAddress.IsLoopback(address!) && !c.AllowRemote)
                        Fail(s.Path + ":address", $"\"{c.Address}\" is not a loopback address: anyone who can reach the port could feed or blank the bed (the wire protocol has no credentials); set {FieldName(s.Path)}.allowRemote to true to accept devices from the network");
                    return c with { Port = Int(s, "port", -1, 0, 65535, required: true) };
                case SourceKind.Serial:
                    if (c.Path is null) Fail(s.Path + ":path", "is required (e.g. /dev/ttyUSB0)");
                    return c;
                case SourceKind.File:
                    if (c.Path is null) Fail(s.Path + ":path", "is required (a WFDB header, EDF or .mat recording)");
                    if (!File.Exists(c.Path)) Fail(s.Path + ":path", $"\"{c.Path}\": no such file");
                    return c;
                case SourceKind.Synthetic:
                    if (c.Scenario is not null)
                    {
                        if (!File.Exists(c.Scenario)) Fail(s.Path + ":scenario", $"\"{c.Scenario}\": no such file");
                        try { ScenarioFile.Load(c.Scenario); }
                        catch (Exception e) when (e is ScenarioException or FormatException or ArgumentException or System.Text.Json.JsonException or InvalidDataException)
                        {
                            Fail(s.Path + ":scenario", e.Message);
                        }
                    }
                    return c;
                default: // ble-stdin
                    if (c.Decoder is not ("wire" or "polar")) Fail(s.Path + ":decoder", $"\"{c.Decoder}\" is not \"wire\" or \"polar\"");
                    return c;
            }
        }

        /// <summary>Off unless the section names an endpoint.</summary>
        private OtlpConfig? ReadOtlp(IConfigurationSection s)
        {
            ExpectObject(s, "{ endpoint, protocol, intervalSeconds }");
            CheckKeys(s, OtlpKeys);
            string? endpoint = Str(s, "endpoint");
            if (endpoint is null or { Length: 0 }) return null;
            string protocol = Str(s, "protocol") ?? "grpc";
            var kind = protocol switch
            {
                "grpc" => OtlpProtocol.Grpc,
                "http" => OtlpProtocol.Http,
                _ => Fail<OtlpProtocol>(s.Path + ":protocol", $"\"{protocol}\": expected grpc or http"),
            };
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                Fail(s.Path + ":endpoint", $"\"{endpoint}\" is not a URL such as http://127.0.0.1:4317");
            // the http exporter posts to the URL as given: a bare collector address gets the standard path
            if (kind == OtlpProtocol.Http && uri!.AbsolutePath == "/") uri = new Uri(uri, "v1/metrics");
            return new OtlpConfig { Endpoint = uri!, Protocol = kind, IntervalSeconds = Int(s, "intervalSeconds", 10, 1, 3600) };
        }

        private SinksConfig ReadSinks(IConfigurationSection s)
        {
            ExpectObject(s, "{ jsonl, sse, webSocket, wfdb, ... }");
            CheckKeys(s, SinkKeys);
            string? jsonl = Str(s, "jsonl");
            if (jsonl is { Length: 0 } || "none".Equals(jsonl, StringComparison.OrdinalIgnoreCase)) jsonl = null;
            if (jsonl is not null && jsonl != "stdout")
            {
                if (Directory.Exists(jsonl)) Fail(s.Path + ":jsonl", $"\"{jsonl}\" is a directory; expected a file path");
                var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(jsonl));
                if (dir is null || !Directory.Exists(dir)) Fail(s.Path + ":jsonl", $"\"{jsonl}\": directory {dir} does not exist");
            }
            string? wfdb = Str(s, "wfdb");
            if (wfdb is { Length: 0 }) wfdb = null;
            if (wfdb is not null && File.Exists(wfdb)) Fail(s.Path + ":wfdb", $"\"{wfdb}\" is a file; expected a directory");
            return new SinksConfig
            {
                Jsonl = jsonl,
                Sse = Bool(s, "sse", true),
                WebSocket = Bool(s, "webSocket", true),
                ClientBuffer = Int(s, "clientBuffer", 256, 4, 1 << 20),
                Wfdb = wfdb,
                WfdbIntervalSeconds = Dbl(s, "wfdbIntervalSeconds", 60, 1, 86400),
                StripRate = Int(s, "stripRate", 125, 10, 1000),
            };
        }

        // ---- typed fields ------------------------------------------------------------------

        /// <summary>A section given as a plain value (<c>"sinks": "stdout"</c>) would otherwise be ignored: its defaults would run silently.</summary>
        private void ExpectObject(IConfigurationSection s, string shape)
        {
            if (s.Value is { Length: > 0 }) Fail(s.Path, $"expected an object {shape}, found \"{s.Value}\"");
        }

        private string? Str(IConfiguration s, string key)
        {
            var sec = s.GetSection(key);
            if (sec.Value is null && sec.GetChildren().Any()) Fail(sec.Path, "expected a value, found an object or array");
            return sec.Value;
        }

        private int Int(IConfiguration s, string key, int fallback, int min, int max, bool required = false)
        {
            var sec = s.GetSection(key);
            string? v = Str(s, key);
            if (v is null) return required ? Fail<int>(sec.Path, "is required") : fallback;
            if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int x)) Fail(sec.Path, $"\"{v}\" is not an integer");
            if (x < min || x > max) Fail(sec.Path, $"{x} is outside {min}..{max}");
            return x;
        }

        private double Dbl(IConfiguration s, string key, double fallback, double min, double max)
        {
            var sec = s.GetSection(key);
            string? v = Str(s, key);
            if (v is null) return fallback;
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x)) Fail(sec.Path, $"\"{v}\" is not a number");
            if (x < min || x > max) Fail(sec.Path, $"{x.ToString(CultureInfo.InvariantCulture)} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
            return x;
        }

        private bool Bool(IConfiguration s, string key, bool fallback)
        {
            var sec = s.GetSection(key);
            string? v = Str(s, key);
            if (v is null) return fallback;
            return bool.TryParse(v, out bool b) ? b : Fail<bool>(sec.Path, $"\"{v}\" is not true or false");
        }

        private IEnumerable<IConfigurationSection> Children(IConfigurationSection s)
        {
            if (s.Value is { Length: > 0 }) Fail(s.Path, "expected an array"); // [] reads as ""
            var children = s.GetChildren().ToList();
            foreach (var c in children)
                if (!int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)) Fail(s.Path, "expected an array");
            return children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture));
        }

        /// <summary>Refuses keys that no rule reads (typos), looking only at the file and the command line.</summary>
        private void CheckKeys(IConfiguration s, string[] known)
        {
            string prefix = s is IConfigurationSection sec ? sec.Path : "";
            foreach (var provider in root.Providers)
            {
                if (provider is EnvironmentVariablesConfigurationProvider) continue;
                foreach (var key in provider.GetChildKeys([], prefix.Length == 0 ? null : prefix).Distinct(StringComparer.OrdinalIgnoreCase))
                    if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
                        Fail(prefix.Length == 0 ? key : prefix + ":" + key, $"unknown setting (known here: {string.Join(", ", known)})");
            }
        }

        private void Fail(string path, string problem) => throw new ConfigException(OriginOf(path), FieldName(path), problem);

        /// <summary>A FIFO or a device named where a file is read whole would block the start for ever.</summary>
        private void NotSpecial(string path, string file)
        {
            if (Core.Files.RegularFiles.Problem(file) is { } why) Fail(path, $"\"{file}\": {why}");
        }
        private T Fail<T>(string path, string problem) => throw new ConfigException(OriginOf(path), FieldName(path), problem);

        /// <summary>The provider that supplied <paramref name="path"/> (the last one wins), or the file by default.</summary>
        private string OriginOf(string path)
        {
            for (int i = root.Providers.Count() - 1; i >= 0; i--)
            {
                var p = root.Providers.ElementAt(i);
                bool has = p.TryGet(path, out _) || p.GetChildKeys([], path).Any();
                if (!has) continue;
                return p switch
                {
                    JsonConfigurationProvider => file ?? "configuration file",
                    EnvironmentVariablesConfigurationProvider => $"environment ({EnvironmentPrefix}{path.Replace(":", "__").ToUpperInvariant()})",
                    CommandLineConfigurationProvider => "command line",
                    _ => p.ToString() ?? "configuration",
                };
            }
            return file ?? "configuration";
        }
    }

    /// <summary>"beds:1:source:port" → "beds[1].source.port".</summary>
    public static string FieldName(string path)
    {
        var parts = path.Split(':');
        var sb = new System.Text.StringBuilder();
        foreach (var p in parts)
        {
            if (int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)) sb.Append('[').Append(p).Append(']');
            else
            {
                if (sb.Length > 0) sb.Append('.');
                sb.Append(p);
            }
        }
        return sb.ToString();
    }
}
