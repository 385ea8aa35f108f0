using System.Net;
using System.Net.Sockets;
using System.Text;
using EcgStream.Daemon.Configuration;

namespace EcgStream.Daemon.Tests;

public class OtlpTests
{
    /// <summary>
    /// A stand-in collector (HttpListener): the daemon posts OTLP/HTTP protobuf to it at the configured
    /// interval. Protobuf carries strings as UTF-8 bytes, so the metric names and the bed label are
    /// found in the body without decoding it.
    /// </summary>
    [Fact]
    public async Task With_otlp_configured_the_daemon_pushes_its_metrics_to_the_collector()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();

        await using var host = await Support.StartAsync(new DaemonConfig
        {
            Beds = [new BedConfig { Id = "otlp-bed", Source = new SourceConfig { Kind = SourceKind.Synthetic, Seed = 4 } }],
            Otlp = new OtlpConfig { Endpoint = new Uri($"http://127.0.0.1:{port}/v1/metrics"), Protocol = OtlpProtocol.Http, IntervalSeconds = 1 },
        });
        await Support.Until(() => host.Bed("otlp-bed").Samples > 0, TimeSpan.FromSeconds(10), "samples");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string body;
        while (true)
        {
            var ctx = await collector.GetContextAsync().WaitAsync(timeout.Token);
            Assert.Equal("POST", ctx.Request.HttpMethod);
            Assert.Equal("/v1/metrics", ctx.Request.Url!.AbsolutePath);
            Assert.Equal("application/x-protobuf", ctx.Request.ContentType);
            using var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms);
            ctx.Response.StatusCode = 200;
            ctx.Response.Close();
            body = Encoding.UTF8.GetString(ms.ToArray());
            // the first export may come before the bed's first block; wait for one that has its samples
            if (body.Contains("ecgstream.bed.samples", StringComparison.Ordinal)) break;
        }
        Assert.Contains("EcgStream", body);          // the Meter (instrumentation scope)
        Assert.Contains("ecgstreamd", body);         // service.name
        Assert.Contains("otlp-bed", body);           // the bed label
        Assert.Contains("ecgstream.stream.messages", body);
        Assert.Contains("{sample}", body);           // units travel as OTel units, not Prometheus suffixes
    }
}

public class ModelMetricsTests
{
    [Fact]
    public async Task With_the_shipped_model_the_inference_series_are_exported()
    {
        var model = Path.Combine(EcgStream.Tests.TestData.RepoRoot, "models", "ecgstream.onnx");
        await using var host = await Support.StartAsync(new DaemonConfig
        {
            ModelPath = model,
            Beds = [new BedConfig { Id = "m-bed", Hop = 0.5, Source = new SourceConfig { Kind = SourceKind.Synthetic, Seed = 6, Speed = 4 } }],
        });
        await Support.Until(() => host.Model!.WindowsScored >= 2, TimeSpan.FromSeconds(30), "two scored windows");
        using var http = Support.Client(host);
        var m = HttpTests.ParsePrometheus(await http.GetStringAsync("metrics"));
        Assert.True(m["ecgstream_inference_windows_total{result=\"scored\"}"] >= 2);
        Assert.True(m.ContainsKey("ecgstream_inference_windows_total{result=\"dropped\"}"));
        Assert.True(m["ecgstream_inference_batches_total"] >= 1);
        Assert.True(m["ecgstream_inference_latency_seconds_count"] >= 1);
        Assert.True(m["ecgstream_inference_latency_seconds_sum"] > 0);
    }
}
