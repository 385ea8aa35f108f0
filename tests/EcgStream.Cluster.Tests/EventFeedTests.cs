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

    /// <summary>
    /// A message an earlier run fetched and never acknowledged (it stopped or crashed with it in hand, or the server handed
    /// it to the run's last pull request on its way out) comes first after the restart, not an ack wait later behind the
    /// events stored after it: for one bed that would be its offset before its onset.
    /// </summary>
    [NatsFact]
    public async Task A_message_left_unacknowledged_by_an_earlier_run_comes_again_first_in_stream_order()
    {
        await using var node = await OneNode.StartAsync();
        var (settings, js) = (node.Settings, node.Js);
        var options = new EventFeedOptions { Consumer = "station", Start = FeedStart.All, AckWait = TimeSpan.FromSeconds(3) };
        var delivered = new ConcurrentQueue<RhythmEvent>();
        await PublishAsync(js, settings, Event(0));
        await using (var feed = new EventFeed(settings, options))
        {
            using var stop = new CancellationTokenSource();
            var running = Task.Run(() => feed.RunAsync(delivered.Enqueue, stop.Token));
            await Until(() => delivered.Count >= 1, TimeSpan.FromSeconds(30), "the first event");
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(15));
        }
        // the earlier run's last pull takes event 1 and the run ends without acknowledging it
        await PublishAsync(js, settings, Event(1));
        await TakeWithoutAckAsync(js, expectedSequence: 2);
        await PublishAsync(js, settings, Event(2));

        await using (var feed = new EventFeed(settings, options))
        {
            using var stop = new CancellationTokenSource();
            var running = Task.Run(() => feed.RunAsync(delivered.Enqueue, stop.Token));
            // the order is the check: read from the stream at attach, event 1 comes before event 2, not after its ack wait
            await Until(() => delivered.Count >= 3, TimeSpan.FromSeconds(30), "the unacknowledged event and the one after it");
            // the consumer's own redelivery of event 1 (after the 3 s ack wait) is acknowledged, not delivered twice, not a duplicate
            var end = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((await js.GetConsumerAsync(ClusterSettings.EventStream, "station")).Info.NumAckPending > 0)
            {
                Assert.True(DateTime.UtcNow < end, "the consumer's redelivery of event 1 was not acknowledged within 30 s");
                await Task.Delay(100);
            }
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(Enumerable.Range(0, 3).Select(i => EventIds.Of(Event(i))), delivered.Select(EventIds.Of));
            Assert.Equal(0, feed.Duplicates);
            Assert.Equal(3UL, (await js.GetConsumerAsync(ClusterSettings.EventStream, "station")).Info.AckFloor!.StreamSeq);
        }
    }

    /// <summary>
    /// Read early only when every message in the range is unacknowledged: after a second restart within the ack wait, the
    /// range from the floor holds events the run before acknowledged, and reading it would deliver them again.
    /// </summary>
    [NatsFact]
    public async Task Acknowledged_events_above_an_unacknowledged_one_are_not_read_again_at_the_next_restart()
    {
        await using var node = await OneNode.StartAsync();
        var (settings, js) = (node.Settings, node.Js);
        var options = new EventFeedOptions { Consumer = "station", Start = FeedStart.All, AckWait = TimeSpan.FromSeconds(30) };
        var logs = new ConcurrentQueue<string>();
        async Task<List<RhythmEvent>> RunUntil(int count)
        {
            var got = new ConcurrentQueue<RhythmEvent>();
            int before = logs.Count;      // this run's attach is a "reading" line after these (the log is logged after any early read)
            await using var feed = new EventFeed(settings, options, logs.Enqueue);
            using var stop = new CancellationTokenSource();
            var running = Task.Run(() => feed.RunAsync(got.Enqueue, stop.Token));
            if (count > 0) await Until(() => got.Count >= count, TimeSpan.FromSeconds(30), $"{count} event(s)");
            else await Until(() => logs.Skip(before).Any(l => l.Contains("reading events.")), TimeSpan.FromSeconds(30), "the feed to attach");
            await Task.Delay(500);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(15));
            return [.. got];
        }
        await PublishAsync(js, settings, Event(0));
        Assert.Single(await RunUntil(1));
        await PublishAsync(js, settings, Event(1));
        await TakeWithoutAckAsync(js, expectedSequence: 2);
        await PublishAsync(js, settings, Event(2));
        await PublishAsync(js, settings, Event(3));

        // run 2: event 1 read from the stream first, 2 and 3 consumed and acknowledged; it stops within the 30 s ack wait
        Assert.Equal(Enumerable.Range(1, 3).Select(i => EventIds.Of(Event(i))), (await RunUntil(3)).Select(EventIds.Of));
        // run 3: floor 1, delivered up to 4, one pending: events 2 and 3 are acknowledged and must not come again
        var third = await RunUntil(0);
        Assert.DoesNotContain(third, e => EventIds.Of(e) == EventIds.Of(Event(2)) || EventIds.Of(e) == EventIds.Of(Event(3)));
        Assert.Contains(logs, l => l.Contains("come again after the ack wait"));
    }

    /// <summary>One loopback node with the stream layout made, and a publisher connected to it.</summary>
    private sealed class OneNode : IAsyncDisposable
    {
        private LoopbackNatsCluster _cluster = null!;
        private NatsConnection _publisher = null!;
        public ClusterSettings Settings { get; private set; } = null!;
        public NatsJSContext Js { get; private set; } = null!;

        public static async Task<OneNode> StartAsync()
        {
            var node = new OneNode { _cluster = await LoopbackNatsCluster.StartAsync(1) };
            node.Settings = node._cluster.Settings();
            node._publisher = new NatsConnection(node.Settings.ClientOptions("test-worker"));
            node.Js = new NatsJSContext(node._publisher);
            await JetStreamSetup.EnsureWithRetryAsync(node.Js, node.Settings, TimeSpan.FromSeconds(30));
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            await _publisher.DisposeAsync();
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>What a stopping run's last pull request does: takes the durable consumer's next message and never acknowledges it.</summary>
    private static async Task TakeWithoutAckAsync(NatsJSContext js, ulong expectedSequence)
    {
        var consumer = await js.GetConsumerAsync(ClusterSettings.EventStream, "station");
        int taken = 0;
        await foreach (var m in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(5) }))
        {
            Assert.Equal(expectedSequence, m.Metadata!.Value.Sequence.Stream);
            taken++;
        }
        Assert.Equal(1, taken);
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
