using System.Text.RegularExpressions;
using NATS.Client.Core;

namespace EcgStream.Cluster;

/// <summary>A bad cluster setting: the message is one line naming the setting and the cause.</summary>
public sealed class ClusterConfigException(string message) : Exception(message);

/// <summary>
/// How to reach the NATS JetStream cluster and how the scale-out streams are laid out (docs/scale-out.md).
/// Every connection authenticates: a user and password are required, there is no anonymous mode.
/// </summary>
public sealed partial record ClusterSettings
{
    /// <summary>Seed servers, e.g. nats://10.0.0.1:4222; the client learns the rest of the cluster from them.</summary>
    public required IReadOnlyList<string> Urls { get; init; }
    public required string User { get; init; }
    public required string Password { get; init; }
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
    /// <summary>A bed lease not renewed for this long lapses, and another worker may take the bed.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(5);

    public const string SampleStream = "ECG";
    public const string EventStream = "EVENTS";
    public const string ProgressStream = "ECG_PROGRESS";
    public const string BedsBucket = "ecg_beds";
    public const string LeasesBucket = "ecg_leases";
    public const string WorkersBucket = "ecg_workers";

    public string SampleSubject(string bed) => $"ecg.{Site}.{bed}";
    public string EventSubject(string bed) => $"events.{Site}.{bed}";
    public string ProgressSubject(string bed) => $"progress.{Site}.{bed}";
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
        if (string.IsNullOrWhiteSpace(User)) throw new ClusterConfigException("nats: user is empty (connections must authenticate)");
        if (string.IsNullOrEmpty(Password)) throw new ClusterConfigException($"nats: password for user '{User}' is empty (connections must authenticate)");
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

    /// <summary>Client options: authenticated, reconnecting for ever (a node restart or a network cut is survived, not fatal).</summary>
    public NatsOpts ClientOptions(string name) => NatsOpts.Default with
    {
        Url = string.Join(",", Urls),
        Name = name,
        AuthOpts = NatsAuthOpts.Default with { Username = User, Password = Password },
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
        ReconnectWaitMax = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };
}
