using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Http;

namespace EcgStream.Daemon.Tests;

/// <summary>No one reads a patient without the key; no other web page or host name reaches the daemon.</summary>
public class AccessTests
{
    private const string NeedsToken = "a bearer token is required (see docs/daemon.md, Access control)\n";

    private static DaemonConfig OneBed(HttpConfig? http = null) => new()
    {
        Beds = [new BedConfig { Id = "bed-1", Source = new SourceConfig { Kind = SourceKind.Synthetic, Seed = 2 } }],
        Http = http ?? new HttpConfig(),
    };

    private static HttpClient Anonymous(DaemonHost host) => new() { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<HttpStatusCode> WebSocketStatus(DaemonHost host, string? token, string? origin)
    {
        using var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        if (token is not null) ws.Options.SetRequestHeader("Authorization", "Bearer " + token);
        if (origin is not null) ws.Options.SetRequestHeader("Origin", origin);
        try { await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{host.Address.Port}/ws?strips=false"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (WebSocketException) { }
        return ws.HttpStatusCode;
    }

    [Fact]
    public async Task Without_the_token_beds_metrics_events_and_ws_answer_401_and_health_stays_open()
    {
        await using var host = await Support.StartAsync(OneBed());
        using var anonymous = Anonymous(host);
        foreach (var path in new[] { "beds", "metrics", "events", "ws" })
        {
            using var r = await anonymous.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal(NeedsToken, await r.Content.ReadAsStringAsync());
            Assert.Equal("Bearer", r.Headers.WwwAuthenticate.Single().Scheme);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketStatus(host, token: null, origin: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketStatus(host, token: "wrong-token-0123456789", origin: null));
        using (var health = await anonymous.GetAsync("health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        using var authorised = Support.Client(host);
        Assert.Equal(HttpStatusCode.OK, (await authorised.GetAsync("beds")).StatusCode);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await WebSocketStatus(host, Support.Token, origin: null));
        var metrics = HttpTests.ParsePrometheus(await authorised.GetStringAsync("metrics"));
        Assert.Equal(6, metrics["ecgstream_http_refused_total{reason=\"token\"}"]);
    }

    [Fact]
    public async Task HEAD_answers_like_GET_without_a_body_on_the_open_page_and_health_and_keeps_the_token_rule_elsewhere()
    {
        await using var host = await Support.StartAsync(OneBed());
        using var anonymous = Anonymous(host);
        foreach (var path in new[] { "/", "health" })
        {
            using var get = await anonymous.GetAsync(path);
            using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        }
        // the page: its length and its framing rules, as GET gives them
        using (var get = await anonymous.GetAsync("/"))
        using (var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/")))
        {
            Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
            Assert.True(head.Content.Headers.ContentLength > 0);
            Assert.Equal("DENY", head.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal(get.Headers.GetValues("Content-Security-Policy"), head.Headers.GetValues("Content-Security-Policy"));
        }
        // /beds takes HEAD too, behind the token like its GET
        using (var r = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "beds"))) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using var authorised = Support.Client(host);
        using (var r = await authorised.SendAsync(new HttpRequestMessage(HttpMethod.Head, "beds"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        // other methods are still refused
        using (var r = await anonymous.PostAsync("health", null)) Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
    }

    [Fact]
    public async Task Two_daemons_in_one_process_export_only_their_own_series()
    {
        // both Meters are named "EcgStream"; each host's OpenTelemetry pipeline must read only its own
        await using var a = await Support.StartAsync(OneBed());
        await using var b = await Support.StartAsync(OneBed());
        using (var anonymous = Anonymous(a))
            for (int i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("beds")).StatusCode);

        using var httpA = Support.Client(a);
        using var httpB = Support.Client(b);
        var metricsA = HttpTests.ParsePrometheus(await httpA.GetStringAsync("metrics"));
        var metricsB = HttpTests.ParsePrometheus(await httpB.GetStringAsync("metrics"));
        Assert.Equal(3, metricsA["ecgstream_http_refused_total{reason=\"token\"}"]);
        Assert.False(metricsB.ContainsKey("ecgstream_http_refused_total{reason=\"token\"}"));
        Assert.Equal(1, metricsB.Keys.Count(k => k.StartsWith("ecgstream_bed_connected{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_foreign_origin_gets_403_on_ws_and_sse_and_the_daemons_own_origin_is_let_in()
    {
        await using var host = await Support.StartAsync(OneBed());
        Assert.Equal(HttpStatusCode.Forbidden, await WebSocketStatus(host, Support.Token, "https://evil.example"));
        using var http = Support.Client(host);
        using var sse = new HttpRequestMessage(HttpMethod.Get, "events?strips=false");
        sse.Headers.Add("Origin", "https://evil.example");
        using var refused = await http.SendAsync(sse, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("origin not allowed\n", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await WebSocketStatus(host, Support.Token, $"http://127.0.0.1:{host.Address.Port}"));
        var metrics = HttpTests.ParsePrometheus(await http.GetStringAsync("metrics"));
        Assert.Equal(2, metrics["ecgstream_http_refused_total{reason=\"origin\"}"]);
    }

    [Fact]
    public async Task A_foreign_host_name_is_refused_even_on_health_which_defeats_dns_rebinding()
    {
        await using var host = await Support.StartAsync(OneBed());
        using var http = Support.Client(host);
        foreach (var path in new[] { "health", "beds" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = $"attacker.example:{host.Address.Port}";
            using var r = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("host not allowed\n", await r.Content.ReadAsStringAsync());
        }
        using var local = new HttpRequestMessage(HttpMethod.Get, "health");
        local.Headers.Host = $"localhost:{host.Address.Port}";
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(local)).StatusCode);
    }

    [Fact]
    public async Task Event_stream_clients_beyond_the_cap_are_refused_and_counted()
    {
        await using var host = await Support.StartAsync(OneBed(new HttpConfig { MaxClients = 1 }));
        using var http = Support.Client(host, Timeout.InfiniteTimeSpan);
        using var first = await http.GetAsync("events?strips=false", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await http.GetAsync("events?strips=false", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("too many event-stream clients (http.maxClients = 1)\n", await second.Content.ReadAsStringAsync());
        var metrics = HttpTests.ParsePrometheus(await http.GetStringAsync("metrics"));
        Assert.Equal(1, metrics["ecgstream_http_refused_total{reason=\"clients\"}"]);
    }

    [Fact]
    public async Task The_live_view_trades_its_token_for_an_HttpOnly_same_site_cookie()
    {
        await using var host = await Support.StartAsync(OneBed());
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = host.Address };
        using var session = new HttpRequestMessage(HttpMethod.Post, "session");
        session.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Support.Token);
        using var r = await browser.SendAsync(session);
        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        var cookie = r.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie.ToLowerInvariant());
        Assert.Contains("samesite=strict", cookie.ToLowerInvariant());
        Assert.Contains($"max-age={(int)AccessControl.SessionLifetime.TotalSeconds}", cookie.ToLowerInvariant());
        // the cookie holds a session id, never the token: browsers send a 127.0.0.1 cookie to every other port of the host
        Assert.DoesNotContain(Support.Token, cookie);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("beds")).StatusCode); // the cookie alone
        // /metrics takes GET as every endpoint takes its one method (the exporter alone answered POST, DELETE, …)
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await browser.PostAsync("metrics", null)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await browser.DeleteAsync("metrics")).StatusCode);
        // a session cannot buy another (only the token can), and a made-up one opens nothing
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("session", null)).StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Get, "beds");
        forged.Headers.Add("Cookie", $"{AccessControl.CookieName}=not-a-session");
        using var anonymous = Anonymous(host);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(forged)).StatusCode);
        // without the token, no cookie is handed out
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("session", null)).StatusCode);
        // /health is open however routing spells it
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("HEALTH")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/")).StatusCode);
        // the page may not be framed
        var page = await anonymous.GetAsync("");
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Without_a_configured_token_one_is_generated_into_a_file_only_its_owner_reads()
    {
        var file = Path.Combine(Support.TempDir(), "state", "token");
        await using (var host = await Support.StartAsync(OneBed(new HttpConfig { TokenFile = file })))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            string token = File.ReadAllText(file).Trim();
            Assert.Equal(43, token.Length); // 32 random bytes, base64url
            using var http = new HttpClient { BaseAddress = host.Address };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("beds")).StatusCode);
        }
        // kept across restarts; a file others can read is refused
        string before = File.ReadAllText(file);
        await using (var again = await Support.StartAsync(OneBed(new HttpConfig { TokenFile = file }))) { }
        Assert.Equal(before, File.ReadAllText(file));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<InvalidDataException>(() => DaemonHost.Build(OneBed(new HttpConfig { TokenFile = file })));
        Assert.Equal($"token file {file}: readable by group or others (chmod 600 it)", e.Message);
    }

    [Fact]
    public void Listening_beyond_loopback_on_plain_http_is_refused_without_an_explicit_opt_in()
    {
        string[] bed = ["--beds:0:id=a", "--beds:0:source:kind=synthetic"];
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["--listen=http://0.0.0.0:8370", .. bed], environment: false));
        Assert.Equal("configuration error in command line: listen: \"http://0.0.0.0:8370\" is not a loopback address and is plain http (patient data in clear); " +
            "use https with http.certificate, or set http.allowInsecureRemote to true behind a TLS proxy", e.Message);
        var opted = ConfigLoader.Load(null, ["--listen=http://0.0.0.0:8370", "--http:allowInsecureRemote=true", .. bed], environment: false);
        Assert.True(opted.Http.AllowInsecureRemote);
        var named = ConfigLoader.Load(null, ["--listen=http://monitor-7.ward:8370", "--http:allowInsecureRemote=true", .. bed], environment: false);
        Assert.Contains("monitor-7.ward", named.Http.AllowedHosts);
        var https = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["--listen=https://0.0.0.0:8443", .. bed], environment: false));
        Assert.Equal("configuration error in command line: listen: \"https://0.0.0.0:8443\" is https: http.certificate (a PKCS#12 .pfx file) is required", https.Message);
        var shortToken = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["--http:token=abc", .. bed], environment: false));
        Assert.Equal("configuration error in command line: http.token: is 3 characters long; at least 16 are needed", shortToken.Message);
    }
}
