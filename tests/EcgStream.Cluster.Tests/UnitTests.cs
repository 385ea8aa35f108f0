using System.Diagnostics;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Tracking;
using EcgStream.Synthetic;

namespace EcgStream.Cluster.Tests;

public sealed class SampleCodecTests
{
    [Fact]
    public void A_block_round_trips_to_one_microvolt()
    {
        var stream = new SyntheticEcgStream(7, 500, LeadSet.All);
        stream.ReadBlock("bed001", 50); // not at 0
        var block = stream.ReadBlock("bed001", 20);
        var leadOff = LeadSet.Of(Lead.V3);
        block = new SampleBlock(block.StreamId, block.StartSample, block.SampleRate, block.Leads, block.Length, block.Samples, leadOff, 1234, LeadSet.Of(Lead.I));
        var bytes = SampleCodec.Encode(block);
        Assert.Equal(SampleCodec.HeaderSize + 2 * 12 * 20, bytes.Length);
        float[] buffer = [];
        Assert.True(SampleCodec.TryDecode(bytes, "bed001", ref buffer, out var back, out var problem), problem);
        Assert.Equal((block.StartSample, block.SampleRate, block.Leads, block.Length, block.LeadOff, block.Sequence, block.Unreadable),
            (back.StartSample, back.SampleRate, back.Leads, back.Length, back.LeadOff, back.Sequence, back.Unreadable));
        var a = block.Samples.Span;
        var b = back.Samples.Span;
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(SampleCodec.Quantise(a[i]), b[i]);
            Assert.InRange(Math.Abs(a[i] - b[i]), 0, 0.0005f + 1e-6f);
        }
    }

    [Fact]
    public void Out_of_range_samples_saturate_and_NaN_becomes_zero()
    {
        var block = new SampleBlock("b", 0, 250, LeadSet.Of(Lead.II), 3, new float[] { 40f, -40f, float.NaN });
        float[] buffer = [];
        Assert.True(SampleCodec.TryDecode(SampleCodec.Encode(block), "b", ref buffer, out var back, out _));
        Assert.Equal([32767 * SampleCodec.MillivoltsPerUnit, -32768 * SampleCodec.MillivoltsPerUnit, 0f], back.Samples.ToArray());
    }

    [Theory]
    [InlineData(10, "message of 10 bytes, shorter than the 40-byte header")]
    [InlineData(-1, "message of 79 bytes, header says 1 leads × 20 samples (80 bytes)")]
    public void Malformed_messages_are_refused_with_a_reason(int length, string expected)
    {
        var block = new SampleBlock("b", 0, 250, LeadSet.Of(Lead.II), 20, new float[20]);
        var bytes = SampleCodec.Encode(block);
        var cut = length < 0 ? bytes[..^1] : bytes[..length];
        float[] buffer = [];
        Assert.False(SampleCodec.TryDecode(cut, "b", ref buffer, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void A_message_of_another_version_is_refused()
    {
        var bytes = SampleCodec.Encode(new SampleBlock("b", 0, 250, LeadSet.Of(Lead.II), 1, new float[1]));
        bytes[0] = 9;
        float[] buffer = [];
        Assert.False(SampleCodec.TryDecode(bytes, "b", ref buffer, out _, out var problem));
        Assert.Equal("message version 9, this build reads 1", problem);
    }
}

public sealed class EventIdTests
{
    [Fact]
    public void The_id_depends_on_bed_rhythm_source_kind_and_onset_not_on_detection()
    {
        var e = new RhythmEvent("bed007", EventType.Rhythm, EventKind.Onset, "AF", 812.5, null, 830, 0.9, EventSource.Model, "m1");
        Assert.Equal("bed007.r.AF.m.on.812500", EventIds.Of(e));
        Assert.Equal(EventIds.Of(e), EventIds.Of(e with { DetectedSeconds = 831, Confidence = 0.7, RunId = "w2" }));
        Assert.NotEqual(EventIds.Of(e), EventIds.Of(e with { Kind = EventKind.Offset, EndSeconds = 900 }));
        Assert.NotEqual(EventIds.Of(e), EventIds.Of(e with { Source = EventSource.Rule }));
        Assert.NotEqual(EventIds.Of(e), EventIds.Of(e with { StartSeconds = 813.5 }));
    }

    /// <summary>
    /// The fused source repeats the rules' rate episodes (its STACH and SBRAD evidence is the rules' own), so a fused onset
    /// and its rule twin share bed, rhythm, kind and onset time. With one id the events stream stored only the first and
    /// the fused one — the event that alarms — was lost: the cluster-demo's replay comparison found fused STACH onsets only
    /// in the single-process replay.
    /// </summary>
    [Fact]
    public void Rule_model_and_fused_events_of_one_episode_have_their_own_ids()
    {
        var rule = new RhythmEvent("bed007", EventType.Rhythm, EventKind.Onset, "STACH", 0, null, 7, 0.9, EventSource.Rule);
        var ids = new[] { rule, rule with { Source = EventSource.Fused, ModelId = "m1" }, rule with { Source = EventSource.Model, ModelId = "m1" } }
            .Select(EventIds.Of).ToList();
        Assert.Equal(["bed007.r.STACH.r.on.0", "bed007.r.STACH.f.on.0", "bed007.r.STACH.m.on.0"], ids);
    }
}

public sealed class SettingsTests
{
    private static ClusterSettings Good => new() { Urls = ["nats://127.0.0.1:4222"], User = "ecg", Password = "secret" };

    [Theory]
    [InlineData("url", "nats: server URL 'http://x:80' is not nats://host:port")]
    [InlineData("creds-in-url", "nats: server URL 'nats://u:p@x:4222' carries credentials; give them as user and password settings")]
    [InlineData("no-password", "nats: password for user 'ecg' is empty (connections must authenticate)")]
    [InlineData("no-user", "nats: user is empty and no nkey seed is given (connections must authenticate)")]
    [InlineData("site", "nats: site 'a.b' must be 1-64 characters of A-Z a-z 0-9 _ - (it is a subject token)")]
    [InlineData("replicas", "nats: replicas 7: JetStream allows 1 to 5")]
    public void Bad_settings_are_refused_in_one_line(string what, string expected)
    {
        var s = what switch
        {
            "url" => Good with { Urls = ["http://x:80"] },
            "creds-in-url" => Good with { Urls = ["nats://u:p@x:4222"] },
            "no-password" => Good with { Password = "" },
            "no-user" => Good with { User = " " },
            "site" => Good with { Site = "a.b" },
            _ => Good with { Replicas = 7 },
        };
        var e = Assert.Throws<ClusterConfigException>(s.Validate);
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Subjects_and_keys_follow_the_layout()
    {
        var s = Good with { Site = "north" };
        Assert.Equal(("ecg.north.bed01", "events.north.bed01", "progress.north.bed01", "north.bed01"),
            (s.SampleSubject("bed01"), s.EventSubject("bed01"), s.ProgressSubject("bed01"), s.BedKey("bed01")));
        Assert.Equal("bed01", s.BedOfKey("north.bed01"));
        Assert.Null(s.BedOfKey("south.bed01"));
    }
}

public sealed class CoverageTests
{
    private static StoredProgress P(long from, long to, string w = "w1") => new("b", new ProgressRecord(w, from, to, 250, default), default);

    [Fact]
    public void Contiguous_ranges_cover_everything_once()
    {
        var c = new ClusterContents([P(0, 100), P(100, 250, "w2"), P(250, 300)], []);
        Assert.Equal((300L, 0L, 0), c.Coverage("b", 300));
    }

    [Fact]
    public void Overlaps_count_twice_and_holes_count()
    {
        var c = new ClusterContents([P(0, 100), P(80, 200, "w2"), P(220, 260)], []);
        Assert.Equal((240L, 20L, 2), c.Coverage("b", 300)); // hole 200-220 and 260-300
    }
}

public sealed class ProgressRecordTests
{
    [Fact]
    public void Claims_and_releases_are_empty_ranges_and_old_records_still_parse()
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var checkpoint = new ProgressRecord("w1", 100, 350, 250, t);
        var claim = new ProgressRecord("w2", 350, 350, 250, t);
        var release = new ProgressRecord("w2", 350, 350, 250, t, Release: true);
        Assert.True(checkpoint.IsCheckpoint && !checkpoint.IsClaim);
        Assert.True(claim.IsClaim && !claim.IsCheckpoint);
        Assert.True(!release.IsClaim && !release.IsCheckpoint && release.Release);
        // a checkpoint's JSON is what it was before claims existed, and the old JSON reads back as a checkpoint
        string json = System.Text.Encoding.UTF8.GetString(checkpoint.ToBytes());
        Assert.DoesNotContain("release", json);
        Assert.Equal(checkpoint, ProgressRecord.Parse("""{"worker":"w1","from":100,"to":350,"rate":250,"last_msg_utc":"2023-11-14T22:13:20+00:00"}"""u8));
        Assert.Equal(release, ProgressRecord.Parse(release.ToBytes()));
        Assert.Null(checkpoint.Episodes);
    }

    [Fact]
    public void A_record_carries_the_trackers_open_episodes_to_the_next_owner()
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var episodes = new Dictionary<string, TrackerEpisodes>
        {
            ["model"] = new(58.2, new Dictionary<string, double> { ["NOISE"] = 16.5, ["PACE"] = 5.5 }),
            ["rule"] = new(59.0, new Dictionary<string, double>()),
        };
        var back = ProgressRecord.Parse(new ProgressRecord("w1", 100, 350, 250, t, Episodes: episodes).ToBytes())!;
        Assert.Equal(["model", "rule"], back.Episodes!.Keys.Order());
        Assert.Equal(58.2, back.Episodes["model"].AsOfSeconds);
        Assert.Equal(episodes["model"].Open, back.Episodes["model"].Open);
        Assert.Empty(back.Episodes["rule"].Open);
    }
}

public sealed class HandBackRuleTests
{
    /// <summary>A bed is handed back only once its new owner has committed progress past the point it resumed from (its warm-up is behind it).</summary>
    [Fact]
    public async Task A_bed_counts_as_checkpointed_since_taken_only_past_its_resume_point()
    {
        var settings = new ClusterSettings { Urls = ["nats://127.0.0.1:1"], User = "u", Password = "p" };
        await using var worker = new AnalysisWorker(settings, new WorkerOptions { WorkerId = "w1" });
        var t = DateTimeOffset.UtcNow;
        var resumed = new BedRunner(worker, "bed1", 1, Stopwatch.GetTimestamp(), new ProgressRecord("w0", 0, 5000, 250, t), 7);
        Assert.False(resumed.CheckpointedSinceTaken);
        resumed.Fenced(8); // its claim record: the fence moves, the range does not
        Assert.False(resumed.CheckpointedSinceTaken);
        resumed.Commit(5250, t.AddSeconds(1), 9);
        Assert.True(resumed.CheckpointedSinceTaken);
        var fresh = new BedRunner(worker, "bed2", 1, Stopwatch.GetTimestamp(), null, 3);
        Assert.False(fresh.CheckpointedSinceTaken);
        fresh.Commit(250, t, 4);
        Assert.True(fresh.CheckpointedSinceTaken);
    }
}

/// <summary>The demo's comparison of the cluster's stored onsets with a single-process replay.</summary>
public sealed class ReplayMatchTests
{
    private static StoredEvent Stored(string bed, string source, double start, string rhythm = "AF") =>
        new(bed, "rhythm", "onset", rhythm, source, start, start + 5, "w1", DateTimeOffset.UnixEpoch, null, null);

    private static RhythmEvent Replayed(string bed, EventSource source, double start, string rhythm = "AF") =>
        new(bed, EventType.Rhythm, EventKind.Onset, rhythm, start, null, start + 5, 0.9, source);

    [Fact]
    public void Onsets_pair_by_bed_rhythm_and_source_within_one_hop_and_fused_meets_fused()
    {
        StoredEvent[] cluster =
        [
            Stored("bed001", "fused", 40), Stored("bed001", "rule", 38), Stored("bed001", "model", 41.5),
            Stored("bed002", "fused", 10), Stored("bed002", "fused", 70),
        ];
        RhythmEvent[] replay =
        [
            Replayed("bed001", EventSource.Fused, 40), Replayed("bed001", EventSource.Rule, 39), Replayed("bed001", EventSource.Model, 43),
            Replayed("bed002", EventSource.Fused, 10), Replayed("bed002", EventSource.Rule, 70),
            Replayed("bed002", EventSource.Fused, 30, "STACH"),
        ];

        var m = ClusterDemo.MatchOnsets(cluster, replay, hop: 1);

        // bed001 fused (Δ 0), rule (Δ 1) and bed002 fused at 10 pair; bed001 model is 1.5 s off; bed002's fused onset at 70
        // has only a rule onset there, which is not the same source.
        Assert.Equal((5, 6, 3, 1.0), (m.ClusterOnsets, m.ReplayOnsets, m.Matched, m.MaxOnsetDifference));
        Assert.Equal(
            ["cluster bed001 rhythm AF model 41.5", "cluster bed002 rhythm AF fused 70.0",
             "replay bed001 rhythm AF model 43.0", "replay bed002 rhythm AF rule 70.0", "replay bed002 rhythm STACH fused 30.0"],
            m.Unmatched);
    }
}

public sealed class RendezvousTests
{
    // Survivors share a dead worker's beds by rendezvous ranking (the live worker with the highest score for a bed warms it
    // up and claims it first), so each worker must rank first for about its share of beds, whatever the ids look like.
    [Theory]
    [InlineData("w1,w2,w3")]
    [InlineData("w2,w3")]
    [InlineData("worker-a,worker-b,worker-c,worker-d")]
    public void Each_worker_ranks_first_for_about_its_share_of_beds(string ids)
    {
        var workers = ids.Split(',');
        const int beds = 600;
        var first = workers.ToDictionary(w => w, _ => 0);
        for (int i = 0; i < beds; i++)
        {
            string bed = $"bed{i:D3}";
            first[workers.MaxBy(w => AnalysisWorker.Score(w, bed))!]++;
        }
        double share = (double)beds / workers.Length;
        foreach (var (worker, n) in first)
            Assert.InRange(n, share * 0.9, share * 1.1); // plain FNV-1a gave w2 238 of 600 beds against w1 and w3, 350 against w3
    }

    [Fact]
    public void The_ranking_of_one_bed_does_not_depend_on_who_else_is_alive()
    {
        // w3 gone: the beds w1 ranked above w2 stay w1's (only the dead worker's beds move)
        for (int i = 0; i < 200; i++)
        {
            string bed = $"bed{i:D3}";
            string three = new[] { "w1", "w2", "w3" }.MaxBy(w => AnalysisWorker.Score(w, bed))!;
            string two = new[] { "w1", "w2" }.MaxBy(w => AnalysisWorker.Score(w, bed))!;
            if (three != "w3") Assert.Equal(three, two);
        }
    }
}

public sealed class PresenceTrackerTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static long At(double seconds) => (long)(seconds * Stopwatch.Frequency) + Stopwatch.Frequency;   // > 0: 0 means "never"

    /// <summary>Every worker says it is alive every quarter TTL; w3 stops at 10 s.</summary>
    private static PresenceTracker Heard(double until, double w3StopsAt = 10, double selfFrom = 0)
    {
        var p = new PresenceTracker("w1", Ttl);
        for (double t = 0; t <= until; t += 0.75)
        {
            if (t >= selfFrom) p.Heard("w1", At(t));
            p.Heard("w2", At(t));
            if (t < w3StopsAt) p.Heard("w3", At(t));
        }
        return p;
    }

    [Fact]
    public void A_worker_quiet_for_half_a_ttl_is_suspected_for_a_ttl_gone_and_one_heard_again_is_neither()
    {
        Assert.Empty(Heard(10.5).Suspects(At(11)));                     // w3 last heard at 9.75 s: 1.25 s ago
        Assert.Equal(["w3"], Heard(12).Suspects(At(12)));               // 2.25 s quiet: suspected…
        Assert.Empty(Heard(12).Gone(At(12)));                            // …not gone: a live worker's reconnect can take that long
        Assert.Equal(["w3"], Heard(13.5).Gone(At(13.5)));               // 3.75 s quiet, over a TTL
        var back = Heard(12);
        back.Heard("w3", At(12.1));
        Assert.Empty(back.Suspects(At(12.2)));
        Assert.Equal(["w2", "w3"], back.FreshOthers(At(12.2)).Order());
    }

    [Fact]
    public void Nobody_is_suspected_while_this_workers_own_presence_is_not_established()
    {
        // our own messages stopped (a reconnect): we cannot tell who is quiet
        var cut = Heard(12, selfFrom: 0);
        Assert.Empty(cut.Suspects(At(13.5)));                            // own last heard 1.5 s ago: not fresh
        // back after a break: everyone gets half a TTL to be heard again before anyone is suspected
        var p = Heard(12, w3StopsAt: 10);
        p.Heard("w1", At(16));
        Assert.Empty(p.Suspects(At(16.5)));
        p.Heard("w1", At(16.75));
        p.Heard("w1", At(17.5));
        Assert.Equal(["w2", "w3"], p.Suspects(At(17.6)).Order());     // w2 stopped at 12 s too
        // never heard our own: nothing
        var deaf = new PresenceTracker("w1", Ttl);
        deaf.Heard("w2", At(0));
        Assert.Empty(deaf.Suspects(At(5)));
    }

    [Fact]
    public void A_worker_quiet_for_ten_ttls_is_forgotten()
    {
        var p = Heard(45, w3StopsAt: 10);
        Assert.Empty(p.Suspects(At(45)));   // w3 quiet 35.25 s > 30 s: dropped, its beds went by their leases
        Assert.DoesNotContain("w3", p.FreshOthers(At(45)));
    }
}
