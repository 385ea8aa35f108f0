using System.CommandLine;
using EcgStream.Cluster;

namespace EcgStream.Cli.Commands;

/// <summary>The NATS connection options `ecgstream worker` shares with other cluster roles. The password never goes on the command line.</summary>
internal sealed class ClusterOptions
{
    public const string PasswordVariable = "ECGSTREAM_NATS_PASSWORD";

    private readonly Option<string[]> _urls = new("--nats-url") { Description = "NATS server URL (repeatable or comma-separated), e.g. nats://10.0.0.1:4222.", AllowMultipleArgumentsPerToken = true, Required = true };
    private readonly Option<string> _user = new("--nats-user") { Description = "NATS user.", Required = true };
    private readonly Option<string?> _passwordFile = new("--nats-password-file") { Description = $"File holding the NATS password (default: the {PasswordVariable} environment variable)." };
    private readonly Option<string> _site = new("--site") { Description = "Site id: the second subject token (ecg.<site>.<bed>).", DefaultValueFactory = _ => "site1" };
    private readonly Option<int> _replicas = new("--replicas") { Description = "Replicas of the streams and buckets, when this process creates them.", DefaultValueFactory = _ => 3 };
    private readonly Option<double> _leaseTtl = new("--lease-ttl") { Description = "Seconds after which an unrenewed bed lease lapses.", DefaultValueFactory = _ => 5 };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_urls);
        cmd.Options.Add(_user);
        cmd.Options.Add(_passwordFile);
        cmd.Options.Add(_site);
        cmd.Options.Add(_replicas);
        cmd.Options.Add(_leaseTtl);
    }

    public ClusterSettings Read(ParseResult parse)
    {
        string password;
        if (parse.GetValue(_passwordFile) is { } file)
        {
            if (!File.Exists(file)) throw new ClusterConfigException($"--nats-password-file '{file}': no such file");
            password = File.ReadAllText(file).Trim();
        }
        else password = Environment.GetEnvironmentVariable(PasswordVariable) ?? "";
        if (password.Length == 0) throw new ClusterConfigException($"nats: no password (give --nats-password-file or set {PasswordVariable}); connections must authenticate");
        double ttl = parse.GetValue(_leaseTtl);
        if (!(ttl > 0 && ttl < 3600)) throw new ClusterConfigException($"--lease-ttl {ttl}: expected seconds in (0, 3600)");
        var settings = new ClusterSettings
        {
            Urls = parse.GetValue(_urls)!.SelectMany(u => u.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
            User = parse.GetValue(_user)!,
            Password = password,
            Site = parse.GetValue(_site)!,
            Replicas = parse.GetValue(_replicas),
            LeaseTtl = TimeSpan.FromSeconds(ttl),
        };
        settings.Validate();
        return settings;
    }
}
