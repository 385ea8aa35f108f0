using System.CommandLine;
using EcgStream.Cluster;

namespace EcgStream.Cli.Commands;

/// <summary>
/// The NATS connection options `ecgstream worker` shares with other cluster roles: a user and password, or an nkey seed.
/// The password and the seed never go on the command line (files, or the environment for the password).
/// </summary>
internal sealed class ClusterOptions
{
    public const string PasswordVariable = "ECGSTREAM_NATS_PASSWORD";

    private readonly Option<string[]> _urls = new("--nats-url") { Description = "NATS server URL (repeatable or comma-separated), e.g. nats://10.0.0.1:4222.", AllowMultipleArgumentsPerToken = true, Required = true };
    private readonly Option<string?> _user = new("--nats-user") { Description = "NATS user (or --nats-nkey-seed-file)." };
    private readonly Option<string?> _passwordFile = new("--nats-password-file") { Description = $"File holding the NATS password (default: the {PasswordVariable} environment variable)." };
    private readonly Option<string?> _seedFile = new("--nats-nkey-seed-file") { Description = "File holding an nkey user seed (SU..., e.g. from nk -gen user), instead of a user and password." };
    private readonly Option<string> _site = new("--site") { Description = "Site id: the second subject token (ecg.<site>.<bed>).", DefaultValueFactory = _ => "site1" };
    private readonly Option<int> _replicas = new("--replicas") { Description = "Replicas of the streams and buckets, when this process creates them.", DefaultValueFactory = _ => 3 };
    private readonly Option<double> _leaseTtl = new("--lease-ttl") { Description = "Seconds after which an unrenewed bed lease lapses.", DefaultValueFactory = _ => ClusterSettings.DefaultLeaseTtl.TotalSeconds };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_urls);
        cmd.Options.Add(_user);
        cmd.Options.Add(_passwordFile);
        cmd.Options.Add(_seedFile);
        cmd.Options.Add(_site);
        cmd.Options.Add(_replicas);
        cmd.Options.Add(_leaseTtl);
    }

    public ClusterSettings Read(ParseResult parse)
    {
        double ttl = parse.GetValue(_leaseTtl);
        if (!(ttl > 0 && ttl < 3600)) throw new ClusterConfigException($"--lease-ttl {ttl}: expected seconds in (0, 3600)");
        var urls = parse.GetValue(_urls)!.SelectMany(u => u.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (parse.GetValue(_seedFile) is { } seedFile)
        {
            if (parse.GetValue(_user) is not null || parse.GetValue(_passwordFile) is not null)
                throw new ClusterConfigException("--nats-nkey-seed-file: give an nkey seed or a user and password, not both");
            if (!File.Exists(seedFile)) throw new ClusterConfigException($"--nats-nkey-seed-file '{seedFile}': no such file");
            string seed = File.ReadLines(seedFile).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('S'))
                ?? throw new ClusterConfigException($"--nats-nkey-seed-file '{seedFile}': holds no seed (a line starting with SU)");
            var keyed = new ClusterSettings
            {
                Urls = urls, NkeySeed = seed, Site = parse.GetValue(_site)!, Replicas = parse.GetValue(_replicas), LeaseTtl = TimeSpan.FromSeconds(ttl),
            };
            keyed.Validate();
            return keyed;
        }
        if (parse.GetValue(_user) is not { Length: > 0 } user) throw new ClusterConfigException("nats: give --nats-user (and a password) or --nats-nkey-seed-file; connections must authenticate");
        string password;
        if (parse.GetValue(_passwordFile) is { } file)
        {
            if (!File.Exists(file)) throw new ClusterConfigException($"--nats-password-file '{file}': no such file");
            password = File.ReadAllText(file).Trim();
        }
        else password = Environment.GetEnvironmentVariable(PasswordVariable) ?? "";
        if (password.Length == 0) throw new ClusterConfigException($"nats: no password (give --nats-password-file or set {PasswordVariable}); connections must authenticate");
        var settings = new ClusterSettings
        {
            Urls = urls,
            User = user,
            Password = password,
            Site = parse.GetValue(_site)!,
            Replicas = parse.GetValue(_replicas),
            LeaseTtl = TimeSpan.FromSeconds(ttl),
        };
        settings.Validate();
        return settings;
    }
}
