using System.Collections.Concurrent;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace EcgStream.Cluster.Tests;

/// <summary>nkey credentials: the server holds a user's public key, the client signs the server's nonce with the seed.</summary>
public sealed class NkeyTests
{
    [NatsFact]
    public async Task A_cluster_requiring_nkeys_admits_the_seed_and_refuses_a_bare_or_wrong_key_client_in_one_line()
    {
        await using var cluster = await LoopbackNatsCluster.StartAsync(1, nkeys: true);
        var settings = cluster.Settings();
        Assert.StartsWith("SU", settings.NkeySeed);
        Assert.Equal(("", ""), (settings.User, settings.Password));

        // the seed: connected, and JetStream answers
        await using (var nats = new NatsConnection(settings.ClientOptions("nkey-test")))
        {
            await nats.ConnectAsync();
            await JetStreamSetup.EnsureWithRetryAsync(new NatsJSContext(nats), settings, TimeSpan.FromSeconds(30));
        }

        // without credentials: our settings refuse to make such a client; the server refuses a bare one
        var none = Assert.Throws<ClusterConfigException>(() => (settings with { NkeySeed = null }).Validate());
        Assert.Equal("nats: user is empty and no nkey seed is given (connections must authenticate)", none.Message);
        await using (var bare = new NatsConnection(NatsOpts.Default with { Url = cluster.Urls[0], ConnectTimeout = TimeSpan.FromSeconds(3) }))
        {
            var refused = await Assert.ThrowsAnyAsync<NatsException>(async () => await bare.ConnectAsync());
            Assert.Equal("the server refused a client without credentials (Authorization Violation): check the credentials and the server's authorization block",
                (settings with { NkeySeed = null }).DescribeFailure(refused));
        }

        // another key pair's seed: the gateway buffers, and says in one line who was refused
        using var other = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        var wrong = settings with { NkeySeed = other.GetSeed() };
        var lines = new ConcurrentQueue<string>();
        await using var gateway = new BedGateway(wrong, new GatewayOptions { BufferBlocks = 10, Lanes = 1 }, lines.Enqueue);
        Assert.True(gateway.Publish(new SampleBlock("bed001", 0, 250, LeadSet.Of(Lead.I), 25, new float[25])));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (lines.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal($"nats: publishing failed (the server refused nkey {other.GetPublicKey()} (Authorization Violation): check the credentials and the server's authorization block); buffering up to 10 blocks and retrying",
            Assert.Single(lines.Distinct()));
        Assert.Equal(0, gateway.SamplesPublished);
    }

    [Theory]
    [InlineData("SAANOTAUSERSEED", "nats: the nkey seed is not a user seed (it starts with 'SA', a user seed with 'SU')")]
    [InlineData("SUNOTBASE32!!", "nats: the nkey seed is not valid (a user seed is 58 base32 characters starting with 'SU', as nk -gen user prints it)")]
    public void A_bad_seed_is_refused_in_one_line_without_printing_it(string seed, string message)
    {
        var s = new ClusterSettings { Urls = ["nats://127.0.0.1:4222"], NkeySeed = seed, Replicas = 1 };
        var e = Assert.Throws<ClusterConfigException>(s.Validate);
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain(seed, e.Message);
    }

    [Fact]
    public void A_seed_and_a_password_together_are_refused_and_neither_appears_in_ToString()
    {
        using var pair = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        var both = new ClusterSettings { Urls = ["nats://127.0.0.1:4222"], User = "u", Password = "hunter2", NkeySeed = pair.GetSeed() };
        Assert.Equal("nats: give a user and password or an nkey seed, not both", Assert.Throws<ClusterConfigException>(both.Validate).Message);
        Assert.DoesNotContain("hunter2", both.ToString());
        Assert.DoesNotContain(pair.GetSeed(), both.ToString());
    }
}
