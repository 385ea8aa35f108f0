using System.Text.RegularExpressions;
using NATS.Client.Core;

namespace EcgStream.Cluster;

/// <summary>A bad cluster setting: the message is one line naming the setting and the cause.</summary>
public sealed class ClusterConfigException(string message) : Exception(message);

/// <summary>
/// How to reach the NATS JetStream cluster and how the scale-out streams are laid out (docs/scale-out.md).
/// Every connection authenticates, with a user and password or with an nkey (the seed of a user key pair: the server
/// holds only the public key and the client signs the server's nonce); there is no anonymous mode.
/// </summary>
public sealed partial record ClusterSettings
{
    /// <summary>Seed servers, e.g. nats://10.0.0.1:4222; the client learns the rest of the cluster from them.</summary>
    public required IReadOnlyList<string> Urls { get; init; }
    /// <summary>User and password; empty when <see cref="NkeySeed"/> is given.</summary>
    public string User { get; init; } = "";
    public string Password { get; init; } = "";
    /// <summary>An nkey user seed (<c>SU…</c>, as <c>nk -gen user</c> prints it) instead of a user and password; null for none.</summary>
    public string? NkeySeed { get; init; }
    /// <summary>The hospital site: the second subject token (<c>ecg.&lt;site&gt;.&lt;bed&gt;</c>).</summary>
    public string Site { get; init; } = "site1";
    /// <summary>Replicas of every stream and bucket (1 on a single server, 3 on a cluster: survives one node).</summary>
    public int Replicas { get; init; } = 3;
    /// <summary>How long sample blocks stay in the ECG stream: what a worker taking a bed over can replay, and what a worker can be behind.</summary>
    public TimeSpan SampleRetention { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Retention of the events and progress streams.</summary>
    public TimeSpan EventRetention { get; init; } = TimeSpan.FromDays(7);
    /// <summary>JetStream's Nats-Msg-Id de-duplication window of the sample and event streams.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>A bed lease not renewed for this long lapses, and another worker may take the bed (the detection time of a failover).</summary>
    public TimeSpan LeaseTtl { get; init; } = DefaultLeaseTtl;
    /// <summary>3 s: renewals every 0.75 s. A lease that lapses only because the store did not answer costs nothing (its owner keeps the bed: docs/scale-out.md).</summary>
    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(3);

    public const string SampleStream = "ECG";
    public const string EventStream = "EVENTS";
    public const string ProgressStream = "ECG_PROGRESS";
    public const string BedsBucket = "ecg_beds";
    public const string LeasesBucket = "ecg_leases";
    public const string WorkersBucket = "ecg_workers";

    public string SampleSubject(string bed) => $"ecg.{Site}.{bed}";
    public string EventSubject(string bed) => $"events.{Site}.{bed}";
    public string ProgressSubject(string bed) => $"progress.{Site}.{bed}";
    /// <summary>Core NATS (no stream): each worker says it is alive here every quarter TTL; <c>*</c> for every worker.</summary>
    public string PresenceSubject(string worker) => $"presence.{Site}.{worker}";
    /// <summary>Key of a bed in the registry and lease buckets.</summary>
    public string BedKey(string bed) => $"{Site}.{bed}";
    public string? BedOfKey(string key) => key.StartsWith(Site + ".", StringComparison.Ordinal) ? key[(Site.Length + 1)..] : null;

    /// <summary>Throws <see cref="ClusterConfigException"/> with one line naming the first bad setting.</summary>
    public void Validate()
    {
        if (Urls is null || Urls.Count == 0) throw new ClusterConfigException("nats: no server URL given (--nats-url nats://host:4222)");
        foreach (var u in Urls)
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls") || uri.Port <= 0)
                throw new ClusterConfigException($"nats: server URL '{u}' is not nats://host:port");
            if (uri.UserInfo.Length > 0) throw new ClusterConfigException($"nats: server URL '{u}' carries credentials; give them as user and password settings");
        }
        if (NkeySeed is not null)
        {
            if (User.Length > 0 || Password.Length > 0) throw new ClusterConfigException("nats: give a user and password or an nkey seed, not both");
            _ = NkeyPublicKey(NkeySeed);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(User)) throw new ClusterConfigException("nats: user is empty and no nkey seed is given (connections must authenticate)");
            if (string.IsNullOrEmpty(Password)) throw new ClusterConfigException($"nats: password for user '{User}' is empty (connections must authenticate)");
        }
        CheckToken("site", Site);
        if (Replicas is < 1 or > 5) throw new ClusterConfigException($"nats: replicas {Replicas}: JetStream allows 1 to 5");
        if (SampleRetention < TimeSpan.FromMinutes(1)) throw new ClusterConfigException($"nats: sample retention {SampleRetention}: at least a minute, so a worker can warm a bed up");
        if (LeaseTtl < TimeSpan.FromSeconds(2)) throw new ClusterConfigException($"nats: lease TTL {LeaseTtl.TotalSeconds} s: at least 2 s (leases renew every TTL/4)");
    }

    /// <summary>Checks that <paramref name="value"/> can be one subject token (bed and site ids).</summary>
    public static void CheckToken(string what, string value)
    {
        if (string.IsNullOrEmpty(value) || !TokenPattern().IsMatch(value))
            throw new ClusterConfigException($"nats: {what} '{value}' must be 1-64 characters of A-Z a-z 0-9 _ - (it is a subject token)");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TokenPattern();

    /// <summary>The public key (<c>U…</c>) of a user nkey seed; a seed that is not one is refused in one line (the seed itself is never printed).</summary>
    public static string NkeyPublicKey(string seed)
    {
        if (!seed.StartsWith("SU", StringComparison.Ordinal))
            throw new ClusterConfigException($"nats: the nkey seed is not a user seed (it starts with '{(seed.Length >= 2 ? seed[..2] : seed)}', a user seed with 'SU')");
        try
        {
            using var pair = NATS.NKeys.KeyPair.FromSeed(seed);
            return pair.GetPublicKey();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new ClusterConfigException("nats: the nkey seed is not valid (a user seed is 58 base32 characters starting with 'SU', as nk -gen user prints it)");
        }
    }

    /// <summary>Who connects, for messages: the user, or the nkey's public key (never the password or the seed).</summary>
    public string Identity => NkeySeed is { } seed ? $"nkey {NkeyPublicKey(seed)}" : User.Length > 0 ? $"user '{User}'" : "a client without credentials";

    /// <summary>
    /// One line for a connection failure: the server's refusal of the credentials said as such (naming <see cref="Identity"/>),
    /// anything else as its innermost message.
    /// </summary>
    public string DescribeFailure(Exception e)
    {
        string why = e.GetBaseException().Message.Split('\n', 2)[0].Trim();
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x.Message.Contains("Authorization Violation", StringComparison.OrdinalIgnoreCase) || x.Message.Contains("Authentication", StringComparison.OrdinalIgnoreCase))
                return $"the server refused {Identity} (Authorization Violation): check the credentials and the server's authorization block";
        return why;
    }

    /// <summary>Client options: authenticated, reconnecting for ever (a node restart or a network cut is survived, not fatal).</summary>
    public NatsOpts ClientOptions(string name) => NatsOpts.Default with
    {
        Url = string.Join(",", Urls),
        Name = name,
        AuthOpts = NkeySeed is { } seed
            ? NatsAuthOpts.Default with { NKey = NkeyPublicKey(seed), Seed = seed }
            : NatsAuthOpts.Default with { Username = User, Password = Password },
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
        ReconnectWaitMax = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        // a server that vanishes without closing the socket (a machine lost, a network cut) is noticed after two unanswered
        // pings, ~4-6 s, instead of the default 2 min x 2; a killed process closes its sockets and is noticed at once
        PingInterval = TimeSpan.FromSeconds(2),
        MaxPingOut = 2,
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>The record's ToString without the password and the seed (settings end up in logs).</summary>
    private bool PrintMembers(System.Text.StringBuilder b)
    {
        b.Append($"Urls = [{string.Join(", ", Urls ?? [])}], Identity = {(NkeySeed is null ? $"user '{User}'" : "nkey")}, Site = {Site}, Replicas = {Replicas}");
        return true;
    }
}
