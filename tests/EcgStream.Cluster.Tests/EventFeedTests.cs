using System.Collections.Concurrent;
using System.Text;
using EcgStream.Core.Events;
using EcgStream.Runtime.Sinks;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Xunit.Abstractions;

namespace EcgStream.Cluster.Tests;

/// <summary>The central station's durable consumer (<see cref="EventFeed"/>) on a 3-node cluster.</summary>
public sealed class EventFeedTests(ITestOutputHelper output)
{
    private static RhythmEvent Event(int i) =>
        new($"bed{i % 4:D3}", EventType.Alarm, EventKind.Onset, "PAUSE", 10 + i, null, 11.5 + i, 1, EventSource.Rule, RunId: "w1");

    /// <summary>Publishes as a worker does, retried (same id: stored once) while the cluster elects new leaders.</summary>
    private static async Task PublishAsync(NatsJSContext js, ClusterSettings s, RhythmEvent e)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var ack = await js.PublishAsync(s.EventSubject(e.StreamId), Encoding.UTF8.GetBytes(EventJson.ToJson(e)),
                    opts: new NatsJSPubOpts { MsgId = EventIds.Of(e) });
                if (!ack.Duplicate) ack.EnsureSuccess();
                return;
            }
            catch (Exception x) when (x is NatsException or TimeoutException && DateTime.UtcNow < deadline) { await Task.Delay(250); }
        }
    }

    /// <summary>
    /// The node the feed is connected to is killed mid-run (the feed was given only its URL: it must move to the servers it
    /// learnt from the cluster) and restarted later: every event arrives once, in order.
    /// </summary>
    [NatsFact]
    public async Task The_feed_delivers_every_event_once_in_order_through_the_loss_of_its_node()
    {
        await using var cluster = await LoopbackNatsCluster.StartAsync(3);
        var settings = cluster.Settings();
        var lines = new ConcurrentQueue<string>();
        void Log(string line) => lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        try
        {
            await using var publisher = new NatsConnection((settings with { Urls = [cluster.Urls[1], cluster.Urls[2]] }).ClientOptions("test-worker"));
            var js = new NatsJSContext(publisher);
            await JetStreamSetup.EnsureWithRetryAsync(js, settings, TimeSpan.FromSeconds(30));
            var delivered = new ConcurrentQueue<RhythmEvent>();
            await using var feed = new EventFeed(settings with { Urls = [cluster.Urls[0]] }, new EventFeedOptions { Consumer = "station", Start = FeedStart.All }, Log);
            using var stop = new CancellationTokenSource();
            var running = Task.Run(() => feed.RunAsync(delivered.Enqueue, stop.Token));

            for (int i = 0; i < 20; i++) await PublishAsync(js, settings, Event(i));
            await Until(() => delivered.Count >= 20, TimeSpan.FromSeconds(30), "the first 20 events");
            cluster.Kill(0);
            Log("node n1 killed");
            for (int i = 20; i < 40; i++) await PublishAsync(js, settings, Event(i));
            Log("40 events published");
            await Until(() => delivered.Count >= 40, TimeSpan.FromSeconds(60), "the 20 events published after the node loss");
            await cluster.RestartAsync(0);
            for (int i = 40; i < 50; i++) await PublishAsync(js, settings, Event(i));
            await Until(() => delivered.Count >= 50, TimeSpan.FromSeconds(60), "the events after the node's return");
            await Task.Delay(500);

            Assert.Equal(Enumerable.Range(0, 50).Select(i => EventIds.Of(Event(i))), delivered.Select(EventIds.Of));
            Assert.Equal(0, feed.Duplicates);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            foreach (var l in lines) output.WriteLine(l);
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var end = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > end) throw new TimeoutException($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}");
            await Task.Delay(50);
        }
    }
}
