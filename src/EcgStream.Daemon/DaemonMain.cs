using EcgStream.Daemon.Configuration;

namespace EcgStream.Daemon;

/// <summary><c>ecgstreamd</c>'s entry: load and check the configuration (exit code 2 when refused), run until SIGTERM / Ctrl-C.</summary>
public static class DaemonMain
{
    public const int ConfigError = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter? stderr = null, DaemonHostOptions? options = null)
    {
        stderr ??= Console.Error;
        if (args is ["--help"] or ["-h"])
        {
            await stderr.WriteLineAsync("usage: ecgstreamd [--config FILE] [--section:key=value ...]\n" +
                "Configuration: a JSON file, then ECGSTREAM_* environment variables, then the command line. See docs/daemon.md.");
            return 0;
        }
        DaemonConfig config;
        try { config = ConfigLoader.Load(args); }
        catch (ConfigException e)
        {
            await stderr.WriteLineAsync($"ecgstreamd: {e.Message}");
            return ConfigError;
        }
        DaemonHost host;
        try { host = DaemonHost.Build(config, options); }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            // e.g. a model that breaks the contract, or a JSON-lines file that cannot be opened
            await stderr.WriteLineAsync($"ecgstreamd: cannot start: {e.Message}");
            return ConfigError;
        }
        await using var _ = host;
        try { await host.StartAsync(); }
        catch (IOException e)
        {
            // Kestrel cannot bind (address in use, permission): a configuration problem too
            await stderr.WriteLineAsync($"ecgstreamd: cannot listen on {config.Listen}: {e.Message}");
            return ConfigError;
        }
        await host.WaitForShutdownAsync();
        return 0;
    }
}
