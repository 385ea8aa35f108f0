using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

public class StreamTests(ITestOutputHelper output)
{
    [Fact]
    public void EndlessStreamIsDeterministicLabelledAndAllocationFree()
    {
        var leads = LeadSet.Of(Lead.I, Lead.II, Lead.V1);
        var a = new SyntheticEcgStream(seed: 4, sampleRate: 250, leads: leads);
        var b = new SyntheticEcgStream(seed: 4, sampleRate: 250, leads: leads);
        var bufA = new float[3 * 1000];
        var bufB = new float[3 * 1000];
        // Warm up (first segments, list capacities), then measure steady-state allocation.
        for (int i = 0; i < 50; i++) { int n = a.Read(bufA, 1000); Assert.Equal(n, b.Read(bufB, n)); Assert.Equal(bufA[..(3 * n)], bufB[..(3 * n)]); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        long samples = 0;
        while (samples < 250 * 600)
        {
            int n = a.Read(bufA, 1000);
            Assert.True(n > 0, "endless stream ended");
            samples += n;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{allocated} bytes allocated over {samples} samples × 3 leads ({a.Episodes.Count} episodes, {a.BeatSamples.Count} beats)");
        // Only the truth lists growing (per beat, amortised) and new segments (per segment): well
        // under one byte per sample, where allocating per sample would cost tens.
        Assert.True(allocated < samples, $"{allocated} bytes for {samples} samples");
        Assert.NotEmpty(a.Episodes);
        int mask = a.ClassMask(0, a.PositionSeconds);
        Assert.NotEqual(0, mask);
        Assert.True(a.Episodes.Select(e => e.Rhythm).Distinct().Count() >= 3, "ten minutes of random scenario hold at least three labels");
    }

    [Fact]
    public void ReadBlockReportsLeadOffAndNeverSpansAChange()
    {
        var s = Measure.Clean(2, new("SR", 3), new("SR", 2, LeadOff: ["II"]), new("SR", 3)) with { Leads = LeadSet.Of(Lead.I, Lead.II) };
        var stream = new SyntheticEcgStream(s);
        var offs = new List<(long, long, LeadSet)>();
        while (true)
        {
            var block = stream.ReadBlock("bed-1", 700);
            if (block.Length == 0) break;
            Assert.Equal(stream.SampleRate, block.SampleRate);
            if (!block.LeadOff.IsEmpty)
            {
                offs.Add((block.StartSample, block.EndSample, block.LeadOff));
                foreach (var v in block.Lead(Lead.II)) Assert.Equal(0f, v);
            }
        }
        Assert.Equal(1500, offs.Min(o => o.Item1));
        Assert.Equal(2500, offs.Max(o => o.Item2));
        Assert.All(offs, o => Assert.Equal(LeadSet.Of(Lead.II), o.Item3));
        Assert.Equal(4000, stream.Position);
        var leadOff = Assert.Single(stream.Episodes, e => e.Rhythm == "LEAD_OFF");
        Assert.Equal(new Episode("LEAD_OFF", 3, 5), leadOff);
        Assert.Equal(new Episode("SR", 0, 8), Assert.Single(stream.Episodes, e => e.Rhythm == "SR"));
    }

    [Fact]
    public void ClassMaskLabelsWindows()
    {
        var stream = new SyntheticEcgStream(Measure.Clean(3, new("SR", 10), new("AF", 10), new("BIGEMINY", 10)));
        var buf = new float[12 * 15000];
        stream.Read(buf, 15000);
        Assert.Equal(1 << (int)RhythmClass.SR, stream.ClassMask(0, 9));
        Assert.Equal((1 << (int)RhythmClass.SR) | (1 << (int)RhythmClass.AF), stream.ClassMask(5, 14));
        Assert.Equal(1 << (int)RhythmClass.AF, stream.ClassMask(11, 19));
        stream.Read(buf, 15000);
        Assert.Equal((1 << (int)RhythmClass.SR) | (1 << (int)RhythmClass.VECT), stream.ClassMask(21, 29));
        Assert.Equal(0, stream.Read(buf, 100));
    }

    [Fact]
    public void BadReadArgumentsAreRefused()
    {
        var stream = new SyntheticEcgStream(Measure.Clean(3, new ScenarioSegment("SR", 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Read(new float[12], 0));
        var e = Assert.Throws<ArgumentException>(() => stream.Read(new float[100], 10));
        Assert.Contains("12 leads × 10 samples need 120", e.Message);
    }

    [Fact]
    public void RandomScenariosHaveTheRequestedLengthAndSensibleOrder()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var s = ScenarioLibrary.Random(seed, TimeSpan.FromMinutes(30));
            Assert.Equal(1800, s.DurationSeconds, 6);
            s.Validate();
            for (int i = 1; i < s.Segments.Count; i++)
            {
                var (prev, cur) = (s.Segments[i - 1].Rhythm, s.Segments[i].Rhythm);
                if (cur == "ASYSTOLE") Assert.Contains(prev, new[] { "VF", "ASYSTOLE" });
                if (cur == "PAUSE") Assert.Contains(prev, new[] { "SR", "SBRAD", "STACH", "SINUS_ARRHYTHMIA", "PVC", "PAUSE" });
            }
        }
    }
}
