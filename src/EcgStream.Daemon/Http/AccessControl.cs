using System.Security.Cryptography;
using System.Text;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Metrics;
using Microsoft.AspNetCore.Http;

namespace EcgStream.Daemon.Http;

/// <summary>
/// Who may read a bed. Every request must name an allowed host (<c>Host</c> header: DNS rebinding
/// makes a hostile page's requests reach 127.0.0.1 under its own name); every path but <c>/health</c>
/// and the static page <c>/</c> needs the bearer token (header), or a live session: <c>POST /session</c> with the
/// token sets an HttpOnly cookie holding a random session id that expires after <see cref="SessionLifetime"/>, since a
/// browser's EventSource and WebSocket cannot send headers. The cookie never holds the token: browsers send a
/// 127.0.0.1 cookie to every port of that host, so any other local web service would receive it; a request that carries an <c>Origin</c> must come from an allowed origin (default:
/// the daemon's own), so another web page open in the monitor's browser cannot open <c>/ws</c>;
/// event-stream clients are capped. Every refusal is counted by reason (ecgstream.http.refused).
/// </summary>
public sealed class AccessControl
{
    public const string CookieName = "ecgstream_session";

    /// <summary>How long a live-view session lasts; the page asks for a new one with its token when it reloads.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    /// <summary>Sessions kept at once; the oldest goes when a new one would exceed it (each page load makes one).</summary>
    public const int MaxSessions = 64;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> _sessions = new(StringComparer.Ordinal);
    private readonly byte[] _token;
    private readonly HashSet<string> _hosts;
    private readonly HashSet<string> _origins;
    private readonly int _maxClients;
    private int _clients;
    private readonly DaemonMetrics _metrics;

    public AccessControl(string token, HttpConfig config, DaemonMetrics metrics)
    {
        _metrics = metrics;
        _token = Encoding.UTF8.GetBytes(token);
        _hosts = new HashSet<string>(config.AllowedHosts, StringComparer.OrdinalIgnoreCase);
        _origins = new HashSet<string>(config.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        _maxClients = config.MaxClients;
    }

    public int Clients => Volatile.Read(ref _clients);

    /// <summary>The middleware: refuses before any endpoint runs.</summary>
    public async Task Check(HttpContext ctx, RequestDelegate next)
    {
        if (!_hosts.Contains(ctx.Request.Host.Host))
        {
            _metrics.Refused(DaemonMetrics.Refusal.Host);
            await Refuse(ctx, StatusCodes.Status400BadRequest, "host not allowed\n");
            return;
        }
        if (ctx.Request.Headers.Origin is { Count: > 0 } origin && !OriginAllowed(ctx, origin.ToString()))
        {
            _metrics.Refused(DaemonMetrics.Refusal.Origin);
            await Refuse(ctx, StatusCodes.Status403Forbidden, "origin not allowed\n");
            return;
        }
        string path = ctx.Request.Path.Value ?? "/";
        // as routing matches them: /HEALTH and /health/ are /health, and stay open like it
        string route = path.TrimEnd('/');
        bool open = route.Length == 0 || route.Equals("/health", StringComparison.OrdinalIgnoreCase);
        if (!open && !Authorized(ctx.Request))
        {
            _metrics.Refused(DaemonMetrics.Refusal.Token);
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            await Refuse(ctx, StatusCodes.Status401Unauthorized, "a bearer token is required (see docs/daemon.md, Access control)\n");
            return;
        }
        await next(ctx);
    }

    /// <summary>Takes an event-stream slot; false (counted) when <see cref="HttpConfig.MaxClients"/> are connected.</summary>
    public bool TryEnterClient()
    {
        if (Interlocked.Increment(ref _clients) <= _maxClients) return true;
        Interlocked.Decrement(ref _clients);
        _metrics.Refused(DaemonMetrics.Refusal.Clients);
        return false;
    }

    public void LeaveClient() => Interlocked.Decrement(ref _clients);

    private bool OriginAllowed(HttpContext ctx, string origin)
    {
        origin = origin.TrimEnd('/');
        // same origin: the scheme and Host (already checked) the request itself came to
        if (string.Equals(origin, $"{ctx.Request.Scheme}://{ctx.Request.Host}", StringComparison.OrdinalIgnoreCase)) return true;
        return _origins.Contains(origin);
    }

    private bool Authorized(HttpRequest request) =>
        BearerToken(request) is { } presented ? CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token)
        : request.Cookies.TryGetValue(CookieName, out var session) && SessionLive(session);

    /// <summary>The token of the request's <c>Authorization: Bearer</c> header; null if none.</summary>
    internal static string? BearerToken(HttpRequest request)
    {
        string auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim() : null;
    }

    /// <summary>A new session id (32 random bytes, base64url), live for <see cref="SessionLifetime"/>.</summary>
    public string CreateSession()
    {
        var now = DateTime.UtcNow;
        foreach (var (id, expires) in _sessions) if (expires <= now) _sessions.TryRemove(id, out _);
        while (_sessions.Count >= MaxSessions && _sessions.MinBy(kv => kv.Value) is { Key: { } oldest }) _sessions.TryRemove(oldest, out _);
        string session = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions[session] = now + SessionLifetime;
        return session;
    }

    private bool SessionLive(string session) => _sessions.TryGetValue(session, out var expires) && expires > DateTime.UtcNow;

    private static Task Refuse(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(text);
    }

    /// <summary>
    /// The token: the configured one, else the one in <see cref="HttpConfig.TokenFile"/>, else a new one
    /// written there (mode 0600). Returns the token and where it came from (never the token in a message).
    /// </summary>
    public static (string Token, string Origin) LoadOrCreateToken(HttpConfig config)
    {
        if (config.Token is { } t) return (t, "configuration (http.token)");
        string path = config.TokenFile ?? DefaultTokenFile();
        if (File.Exists(path))
        {
            if (Core.Files.RegularFiles.Problem(path) is { } why) throw new InvalidDataException($"token file {path}: {why}");
            string existing = File.ReadAllText(path).Trim();
            if (existing.Length < 16) throw new InvalidDataException($"token file {path}: holds {existing.Length} characters, at least 16 are needed");
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                throw new InvalidDataException($"token file {path}: readable by group or others (chmod 600 it)");
            return (existing, path);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var w = new StreamWriter(path, Encoding.ASCII, options)) w.WriteLine(token);
        return (token, path + " (generated)");
    }

    /// <summary>$STATE_DIRECTORY (systemd's StateDirectory), else $XDG_STATE_HOME/ecgstreamd, else ~/.local/state/ecgstreamd; file "token".</summary>
    public static string DefaultTokenFile()
    {
        string? dir = Environment.GetEnvironmentVariable("STATE_DIRECTORY")?.Split(':')[0];
        if (string.IsNullOrEmpty(dir))
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
            dir = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state") : xdg, "ecgstreamd");
        }
        return Path.Combine(dir, "token");
    }
}
