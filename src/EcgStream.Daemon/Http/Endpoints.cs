using System.Buffers;
using System.Net.WebSockets;
using System.Reflection;
using System.Text;
using EcgStream.Daemon.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Http;

/// <summary>
/// The HTTP surface: <c>/</c> live view, <c>/health</c>, <c>/beds</c>, <c>/metrics</c>, <c>/events</c>
/// (server-sent events) and <c>/ws</c> (WebSocket). Event streams take <c>?bed=ID</c> (one bed) and
/// <c>?strips=false</c> (events only). Every stream client reads from its own bounded buffer (see
/// <see cref="EventHub"/>): one that stalls loses its own oldest messages and slows nobody else; one that
/// stays behind longer than <c>http.slowClientSeconds</c> is disconnected, so it cannot keep its slot
/// (<see cref="DropSlow"/>).
/// </summary>
internal static class Endpoints
{
    private static readonly byte[] LiveView = LoadPage();

    // The plain resources take HEAD as well as GET (MapGet maps GET alone, so HEAD got 405): Kestrel answers a HEAD
    // with the handler's status and headers and leaves the body out
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static void Map(WebApplication app, DaemonHost host)
    {
        app.Use(host.Access.Check); // before everything: Host, Origin and token
        // pings every 20 s; a peer that has not answered one within 60 s is gone, and its slot is freed
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20), KeepAliveTimeout = TimeSpan.FromSeconds(60) });
        // the page itself holds no patient data; it asks for the token (from its #token= link) before anything else.
        // It may not be framed: another page must not drive it under the user's eyes
        app.MapMethods("/", GetAndHead, (HttpContext ctx) =>
        {
            ctx.Response.Headers.XFrameOptions = "DENY";
            ctx.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return Results.Bytes(LiveView, "text/html; charset=utf-8");
        });
        // the live view trades its bearer token (the header: a session cookie cannot buy another) for an HttpOnly,
        // same-site cookie holding an expiring session id, which its EventSource then sends
        app.MapPost("/session", (HttpContext ctx) =>
        {
            if (AccessControl.BearerToken(ctx.Request) is null) return Results.Text("a session is bought with the bearer token\n", statusCode: StatusCodes.Status401Unauthorized);
            ctx.Response.Cookies.Append(AccessControl.CookieName, host.Access.CreateSession(), new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = ctx.Request.IsHttps, Path = "/",
                MaxAge = AccessControl.SessionLifetime,
            });
            return Results.NoContent();
        });
        // "ok" only while every bed is connected and receiving samples: a silent bed is not ok.
        // central: "ok" while the events consumer is attached; gateway: while the cluster acknowledges its publishes and no
        // block was dropped in the last 5 s (BedGateway.Failing)
        app.MapMethods("/health", GetAndHead, () => Results.Json(new
        {
            status = host.Beds.All(b => b.Connected && b.State == "receiving") && (host.Feed?.Connected ?? true)
                && host.Gateway?.Failing != true ? "ok" : "degraded",
            uptime_s = Math.Round(host.Uptime.TotalSeconds, 3),
            cluster = ClusterHealth(host),
            beds = host.Beds.Select(b => new
            {
                id = b.Id,
                state = b.State,
                connected = b.Connected,
                last_sample_age_s = b.LastSampleAgeSeconds is { } a ? Math.Round(a, 3) : (double?)null,
                signal_loss_after_s = b.Config.SignalLossSeconds,
                samples = b.Samples,
            }),
        }));
        app.MapMethods("/beds", GetAndHead, () => Results.Json(host.Beds.Select(b => new
        {
            id = b.Id,
            source = b.SourceDescription,
            state = b.State,
            connected = b.Connected,
            sample_rate = b.SampleRate > 0 ? b.SampleRate : (double?)null,
            leads = b.Leads.IsEmpty ? null : b.Leads.ToString(),
            samples = b.Samples,
            reconnects = b.Reconnects,
            last_sample_age_s = b.LastSampleAgeSeconds is { } a ? Math.Round(a, 3) : (double?)null,
            signal_loss_after_s = b.Config.SignalLossSeconds,
            stream_restarts = b.StreamRestarts,
            last_error = b.LastError,
            heart_rate_bpm = b.HeartRateBpm is { } hr ? Math.Round(hr, 1) : (double?)null,
            active = b.OpenEpisodes.Select(o => new
            {
                type = o.Type == EcgStream.Core.Events.EventType.Rhythm ? "rhythm" : "alarm",
                rhythm = o.Rhythm,
                source = EcgStream.Core.Events.EventSources.Name(o.Source),
                alarm = EcgStream.Core.Events.RhythmEvent.Raises(o.Type, o.Source),
                start_s = Math.Round(o.StartSeconds, 3),
                open_for_s = Math.Round(o.OpenFor.TotalSeconds, 3),
            }),
            notch_hz = b.Config.Notch,
            hop_s = b.Config.Hop,
            model = host.Model?.ModelId,
            events = b.EventCount,
            ingest = b.Ingest is { } c ? new
            {
                frames = c.Frames,
                data_frames = c.DataFrames,
                crc_errors = c.CrcErrors,
                header_errors = c.HeaderErrors,
                bytes_skipped = c.BytesSkipped,   // garbage, a wrong baud rate: bytes that formed no valid frame
                no_info = c.NoInfo,
                malformed = c.Malformed,
                unsupported = c.Unsupported,
                duplicates = c.Duplicates,
                gaps = c.Gaps,
                gap_frames = c.GapFrames,
                restarts = c.Restarts,
            } : null,
        })));
        // Prometheus text from OpenTelemetry (the host's Meter, see DaemonMetrics); behind Access.Check like the rest
        // GET and HEAD only, as the other resources: the exporter alone answered POST, DELETE, TRACE …
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new Microsoft.AspNetCore.Routing.HttpMethodMetadata(GetAndHead));
        app.MapGet("/events", async (HttpContext ctx) =>
        {
            if (!host.Config.Sinks.Sse) { await NotEnabled(ctx, "sse"); return; }
            if (!host.Access.TryEnterClient()) { await TooManyClients(ctx, host); return; }
            try { await ServeSse(ctx, host); }
            finally { host.Access.LeaveClient(); }
        });
        app.Map("/ws", async (HttpContext ctx) =>
        {
            if (!host.Config.Sinks.WebSocket) { await NotEnabled(ctx, "webSocket"); return; }
            if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 400; await ctx.Response.WriteAsync("WebSocket upgrade expected\n"); return; }
            if (!host.Access.TryEnterClient()) { await TooManyClients(ctx, host); return; }
            try { await ServeWebSocket(ctx, host); }
            finally { host.Access.LeaveClient(); }
        });
    }

    /// <summary>The cluster role's state for /health; null for a daemon on its own.</summary>
    private static object? ClusterHealth(DaemonHost host)
    {
        if (host.Config.Cluster is not { } c) return null;
        if (host.Feed is { } f)
            return new
            {
                role = "central",
                subject = f.Subject,
                consumer = c.Consumer,
                connected = f.Connected,
                events_delivered = f.Delivered,
                duplicates = f.Duplicates,
                malformed = f.Malformed,
                last_event_stored_utc = f.LastStored?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            };
        var g = host.Gateway!;
        return new
        {
            role = "gateway",
            subject = $"ecg.{c.Site}.<bed>",
            acknowledging = !g.Failing,
            samples_accepted = g.SamplesAccepted,
            samples_acknowledged = g.SamplesPublished,
            samples_dropped = g.SamplesDropped,
            blocks_buffered = g.BlocksBuffered,
            retries = g.Retries,
            duplicates = g.Duplicates,
        };
    }

    private static Task TooManyClients(HttpContext ctx, DaemonHost host)
    {
        ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return ctx.Response.WriteAsync($"too many event-stream clients (http.maxClients = {host.Config.Http.MaxClients})\n");
    }

    private static Task NotEnabled(HttpContext ctx, string sink)
    {
        ctx.Response.StatusCode = 404;
        return ctx.Response.WriteAsync($"sinks.{sink} is off in this daemon's configuration\n");
    }

    private static (string? Bed, bool Strips) Filter(HttpContext ctx)
    {
        string? bed = ctx.Request.Query["bed"];
        bool strips = !string.Equals(ctx.Request.Query["strips"], "false", StringComparison.OrdinalIgnoreCase);
        return (string.IsNullOrEmpty(bed) ? null : bed, strips);
    }

    private static bool Wanted(HubMessage m, (string? Bed, bool Strips) f) =>
        (f.Bed is null || f.Bed == m.Bed) && (f.Strips || m.Event != "strip");

    private const string WriteTimedOut = "a write to it did not complete in time";
    private const string QueueStayedFull = "its queue overflowed and did not empty in time";

    /// <summary>
    /// Gives up a client that fell behind for longer than <c>http.slowClientSeconds</c>: a write that did not complete
    /// (it stopped reading, and Kestrel's and the kernel's buffers are full) or a queue that has not emptied since it
    /// overflowed (it reads, but slower than the beds produce). Counted, logged once, and its connection aborted; the
    /// caller's <c>finally</c> frees its slot. A client that keeps up meets neither limit.
    /// </summary>
    private static void DropSlow(HttpContext ctx, DaemonHost host, HubClient client, string why)
    {
        client.MarkSlow();
        host.Log.LogWarning("event stream: {Kind} client {Address}:{Port} disconnected as too slow: {Why} (http.slowClientSeconds = {Limit}); it had lost {Dropped} message(s)",
            client.Kind, ctx.Connection.RemoteIpAddress, ctx.Connection.RemotePort, why, host.Config.Http.SlowClientSeconds, client.Dropped);
        ctx.Abort();
    }

    private static async Task ServeSse(HttpContext ctx, DaemonHost host)
    {
        var filter = Filter(ctx);
        ctx.Response.Headers.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var client = host.Hub.Connect("sse", m => Wanted(m, filter));
        var limit = TimeSpan.FromSeconds(host.Config.Http.SlowClientSeconds);
        // the write deadline apart from the other causes, so that its expiry is told from the client leaving or the daemon stopping
        using var deadline = new CancellationTokenSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, host.Lifetime.ApplicationStopping, deadline.Token);
        var body = ctx.Response.BodyWriter;
        string? slow = null;
        try
        {
            deadline.CancelAfter(limit);
            await body.WriteAsync(": ecgstreamd event stream\n\n"u8.ToArray(), cancel.Token);
            deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            await foreach (var m in client.Reader.ReadAllAsync(cancel.Token))
            {
                Write(body, "event: ");
                Write(body, m.Event);
                Write(body, "\ndata: ");
                body.Write(m.Json);
                Write(body, "\n\n");
                // a flush waits while the response holds more than Kestrel's buffer, i.e. while the client does not read;
                // one cancelled by the deadline throws, and Kestrel aborts the connection
                deadline.CancelAfter(limit);
                var flushed = await body.FlushAsync(cancel.Token);
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                if (flushed.IsCanceled || flushed.IsCompleted) break;
                client.MarkDelivered();
                if (client.BehindFor > limit) { slow = QueueStayedFull; break; }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { } // the client went away
        if (slow is null && deadline.IsCancellationRequested) slow = WriteTimedOut;
        if (slow is not null) DropSlow(ctx, host, client, slow);
    }

    private static void Write(System.IO.Pipelines.PipeWriter w, string s)
    {
        var span = w.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
        w.Advance(Encoding.UTF8.GetBytes(s, span));
    }

    private static async Task ServeWebSocket(HttpContext ctx, DaemonHost host)
    {
        var filter = Filter(ctx);
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        using var client = host.Hub.Connect("websocket", m => Wanted(m, filter));
        var limit = TimeSpan.FromSeconds(host.Config.Http.SlowClientSeconds);
        // the write deadline (see ServeSse); a send it cancels aborts the WebSocket
        using var deadline = new CancellationTokenSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, host.Lifetime.ApplicationStopping, deadline.Token);
        // Stops waiting for messages when the client closes; a send in progress is not cancelled
        // (that would abort the socket before the close handshake).
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        // the receive side only watches for the client's close; what it sends is ignored
        var receive = Task.Run(async () =>
        {
            var buffer = new byte[1024];
            try
            {
                while (ws.State == WebSocketState.Open)
                {
                    var r = await ws.ReceiveAsync(buffer, cancel.Token);
                    if (r.MessageType == WebSocketMessageType.Close) break;
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
            await closed.CancelAsync();
        });
        string? slow = null;
        try
        {
            await foreach (var m in client.Reader.ReadAllAsync(closed.Token))
            {
                deadline.CancelAfter(limit);
                await ws.SendAsync(m.Json, WebSocketMessageType.Text, endOfMessage: true, cancel.Token);
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                client.MarkDelivered();
                if (client.BehindFor > limit) { slow = QueueStayedFull; break; }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
        if (slow is null && deadline.IsCancellationRequested) slow = WriteTimedOut;
        if (slow is not null)
        {
            // no close handshake with a client that does not read: its close frame would wait behind the rest
            ws.Abort();
            DropSlow(ctx, host, client, slow);
        }
        else
        {
            try
            {
                // answer the client's close, or close ourselves at shutdown
                if (ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, host.Lifetime.ApplicationStopping.IsCancellationRequested ? "daemon stopping" : "bye",
                        CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or IOException or ObjectDisposedException) { }
        }
        await closed.CancelAsync();
        await receive;
    }

    private static byte[] LoadPage()
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("EcgStream.Daemon.index.html")
            ?? throw new InvalidOperationException("live view page missing from the assembly's resources");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
