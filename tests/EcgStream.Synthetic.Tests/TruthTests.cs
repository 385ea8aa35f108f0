using EcgStream.Core.Leads;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

public class TruthTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryAnnotatedBeatIsAQrsAndEveryQrsIsAnnotated(int seed)
    {
        var r = Simulator.Run(Measure.Clean(seed,
            new("SR", 20), new("AF", 20), new("SVT", 10), new("BIGEMINY", 15), new("AFL", 15), new("VT", 10), new("SBRAD", 15)));
        double fs = r.SampleRate;
        var v = Measure.SpatialVelocity(r);
        // An independent detector: local maxima of spatial velocity above 25 % of the median beat peak,
        // at least 200 ms apart.
        var beatPeaks = r.BeatSamples.Select(b => Enumerable.Range((int)b - 25, 50).Max(i => v[i])).ToArray();
        double threshold = 0.25 * Measure.Median(beatPeaks);
        var detections = new List<long>();
        for (int n = 1; n < v.Length - 1; n++)
        {
            if (v[n] < threshold || v[n] < v[n - 1] || v[n] < v[n + 1]) continue;
            if (detections.Count > 0 && n - detections[^1] < 0.2 * fs)
            {
                if (v[n] > v[detections[^1]]) detections[^1] = n;
                continue;
            }
            detections.Add(n);
        }
        int matched = 0, maxOffset = 0;
        foreach (var b in r.BeatSamples)
        {
            var d = detections.Where(x => Math.Abs(x - b) <= 0.075 * fs).ToArray();
            if (d.Length == 1) { matched++; maxOffset = Math.Max(maxOffset, (int)Math.Abs(d[0] - b)); }
        }
        output.WriteLine($"seed {seed}: {r.BeatSamples.Count} beats, {detections.Count} detections, {matched} matched, max offset {maxOffset * 1000 / fs} ms");
        Assert.Equal(r.BeatSamples.Count, matched);
        Assert.Equal(r.BeatSamples.Count, detections.Count);
        Assert.True(maxOffset <= 0.05 * fs, $"a detection lies {maxOffset * 1000 / fs} ms from its annotation");
    }

    [Fact]
    public void RrStatisticsFollowTheRhythm()
    {
        var r = Simulator.Run(Measure.Clean(11,
            new("SR", 60, HeartRate: 70), new("AF", 90, HeartRate: 100), new("SVT", 30, HeartRate: 200), new("VT", 30, HeartRate: 160),
            new("SBRAD", 40, HeartRate: 45), new("STACH", 30, HeartRate: 130), new("PACED", 30, HeartRate: 70)));
        double fs = r.SampleRate;
        var sr = Measure.RrStats(r.BeatSamples, fs, 2, 60);
        var af = Measure.RrStats(r.BeatSamples, fs, 62, 150);
        var svt = Measure.RrStats(r.BeatSamples, fs, 152, 180);
        var vt = Measure.RrStats(r.BeatSamples, fs, 182, 210);
        var sb = Measure.RrStats(r.BeatSamples, fs, 212, 250);
        var st = Measure.RrStats(r.BeatSamples, fs, 252, 280);
        var pace = Measure.RrStats(r.BeatSamples, fs, 282, 310);
        output.WriteLine($"SR {60 / sr.Mean:F1} bpm CV {sr.Cv:F3}; AF {60 / af.Mean:F1} CV {af.Cv:F3}; SVT {60 / svt.Mean:F1} CV {svt.Cv:F4}; VT {60 / vt.Mean:F1} CV {vt.Cv:F3}; SBRAD {60 / sb.Mean:F1}; STACH {60 / st.Mean:F1}; PACED {60 / pace.Mean:F1} CV {pace.Cv:F4}");
        Assert.InRange(sr.Cv, 0.005, 0.08);
        Assert.InRange(af.Cv, 0.12, 0.5);
        Assert.InRange(60 / sr.Mean, 64, 76);
        Assert.InRange(60 / af.Mean, 85, 115);
        Assert.InRange(60 / svt.Mean, 190, 210);
        Assert.InRange(60 / vt.Mean, 150, 170);
        Assert.InRange(60 / sb.Mean, 41, 49);
        Assert.InRange(60 / st.Mean, 122, 138);
        Assert.InRange(60 / pace.Mean, 69.9, 70.1);
        Assert.True(svt.Cv < 0.02 && vt.Cv < 0.04 && pace.Cv < 0.005, "SVT, VT and pacing are regular");
        Assert.All(r.BeatSamples.Select((b, i) => (b, i)).Where(x => x.b / fs is >= 150 and < 180), x => Assert.Equal('S', r.BeatCodes[x.i]));
        Assert.All(r.BeatSamples.Select((b, i) => (b, i)).Where(x => x.b / fs is >= 180.3 and < 210), x => Assert.Equal('V', r.BeatCodes[x.i]));
        Assert.All(r.BeatSamples.Select((b, i) => (b, i)).Where(x => x.b / fs is >= 280.3), x => Assert.Equal('/', r.BeatCodes[x.i]));
    }

    [Fact]
    public void SinusArrhythmiaModulatesRrAtTheBreathingRate()
    {
        var r = Simulator.Run(Measure.Clean(12, new("SR", 120, HeartRate: 70), new("SINUS_ARRHYTHMIA", 120, HeartRate: 70)));
        double fs = r.SampleRate;
        var sr = Measure.RrStats(r.BeatSamples, fs, 2, 118);
        var sa = Measure.RrStats(r.BeatSamples, fs, 122, 238);
        output.WriteLine($"RR CV: SR {sr.Cv:F3}, sinus arrhythmia {sa.Cv:F3}");
        Assert.True(sa.Cv > 1.5 * sr.Cv && sa.Cv > 0.05, $"sinus arrhythmia CV {sa.Cv:F3} vs SR {sr.Cv:F3}");
        Assert.Contains(r.Truth, e => e.Rhythm == "SR" && e.StartSeconds == 0 && e.EndSeconds == 240);
    }

    [Fact]
    public void VentricularFibrillationHasNoBeatsAndDominantFrequencyIn4To8Hz()
    {
        var r = Simulator.Run(Measure.Clean(21, new("SR", 10), new("VF", 30), new("SR", 10)));
        double fs = r.SampleRate;
        Assert.DoesNotContain(r.BeatSamples, b => b / fs > 10.3 && b / fs < 40);
        var f = Measure.DominantFrequency([Measure.Slice(r.Lead(Lead.II), fs, 11, 39), Measure.Slice(r.Lead(Lead.V2), fs, 11, 39), Measure.Slice(r.Lead(Lead.I), fs, 11, 39)], fs, 1, 15);
        output.WriteLine($"VF dominant frequency {f:F2} Hz");
        Assert.InRange(f, 4, 8);
        Assert.Contains(r.Truth, e => e.Rhythm == "VF" && e.StartSeconds == 10 && e.EndSeconds == 40);
    }

    [Theory]
    [InlineData(31, "4:1", 300.0)]
    [InlineData(32, "2:1", 260.0)]
    [InlineData(33, "3:1", 340.0)]
    public void FlutterWavesHaveTheRequestedRateAndConductionRatio(int seed, string conduction, double rate)
    {
        var r = Simulator.Run(Measure.Clean(seed, new ScenarioSegment("AFL", 40, Conduction: conduction, AtrialRate: rate)));
        double fs = r.SampleRate;
        // Only the QRS is blanked: at 2:1 the T wave leaves no F-wave-free stretch, and being
        // locked to the F waves it only adds power at multiples of the ventricular rate.
        var f = Measure.DominantFrequency([Measure.Blanked(r, Lead.II, 1, 39, 0.06, 0.08), Measure.Blanked(r, Lead.aVF, 1, 39, 0.06, 0.08), Measure.Blanked(r, Lead.V1, 1, 39, 0.06, 0.08)], fs, 3, 7);
        var rr = Measure.RrStats(r.BeatSamples, fs, 1, 39);
        int ratio = int.Parse(conduction[..1]);
        output.WriteLine($"flutter {rate}/min {conduction}: F-wave peak {f * 60:F0}/min, ventricular {60 / rr.Mean:F1} bpm");
        Assert.InRange(f * 60, rate - 6, rate + 6);
        Assert.InRange(60 / rr.Mean, rate / ratio - 1, rate / ratio + 1);
    }

    [Fact]
    public void AfHasFibrillatoryWavesIn4To9HzAndNoPWaves()
    {
        var r = Simulator.Run(Measure.Clean(41, new ScenarioSegment("AF", 60, HeartRate: 70)));
        double fs = r.SampleRate;
        var f = Measure.DominantFrequency([Measure.Blanked(r, Lead.V1, 1, 59), Measure.Blanked(r, Lead.II, 1, 59)], fs, 2, 12);
        output.WriteLine($"AF f-wave dominant frequency {f:F2} Hz");
        Assert.InRange(f, 4, 9);
    }

    [Fact]
    public void PvcsAreWidePrematureAndFollowedByACompensatoryPause()
    {
        var r = Simulator.Run(Measure.Clean(51, new ScenarioSegment("BIGEMINY", 40, HeartRate: 70), new ScenarioSegment("TRIGEMINY", 40, HeartRate: 70)));
        double fs = r.SampleRate;
        var v = Measure.SpatialVelocity(r);
        var widthN = Measure.Median(r.BeatSamples.Where((b, i) => r.BeatCodes[i] == 'N').Select(b => Measure.QrsWidthMs(v, b, fs)));
        var widthV = Measure.Median(r.BeatSamples.Where((b, i) => r.BeatCodes[i] == 'V').Select(b => Measure.QrsWidthMs(v, b, fs)));
        output.WriteLine($"median QRS width: N {widthN:F0} ms, V {widthV:F0} ms");
        Assert.InRange(widthN, 60, 110);
        Assert.InRange(widthV, 120, 220);

        var codes = new string(r.BeatCodes.ToArray());
        var beats = r.BeatSamples;
        int firstTrig = beats.Select((b, i) => (b, i)).First(x => x.b / fs > 41).i;
        Assert.Contains("NVNVNVNVNV", codes[..firstTrig]);
        Assert.Contains("NNVNNVNNV", codes[firstTrig..]);
        for (int i = 1; i + 1 < beats.Count; i++)
        {
            if (codes[i] != 'V' || codes[i - 1] != 'N' || codes[i + 1] != 'N' || i < 2 || codes[i - 2] != 'N') continue;
            double sinusRr = (beats[i - 1] - beats[i - 2]) / fs;
            double coupling = (beats[i] - beats[i - 1]) / fs;
            double around = (beats[i + 1] - beats[i - 1]) / fs;
            Assert.InRange(coupling / sinusRr, 0.4, 0.75);             // premature
            Assert.InRange(around / sinusRr, 1.85, 2.15);              // fully compensatory
        }
        Assert.Contains(r.Truth, e => e.Rhythm == "VECT" && e.StartSeconds == 0 && e.EndSeconds == 80);
        Assert.Contains(r.Truth, e => e.Rhythm == "SR" && e.StartSeconds == 0 && e.EndSeconds == 80);
    }

    [Theory]
    [InlineData(52, 0.1)]
    [InlineData(53, 0.3)]
    public void PacsAreNarrowPrematureAndResetTheSinusNode(int seed, double rate)
    {
        var r = Simulator.Run(Measure.Clean(seed, new ScenarioSegment("PAC", 300, HeartRate: 75, EctopyRate: rate)));
        double fs = r.SampleRate;
        var v = Measure.SpatialVelocity(r);
        var codes = new string(r.BeatCodes.ToArray());
        var beats = r.BeatSamples;
        int pacs = codes.Count(c => c == 'A'), normals = codes.Count(c => c == 'N');
        var widthN = Measure.Median(beats.Where((b, i) => codes[i] == 'N').Select(b => Measure.QrsWidthMs(v, b, fs)));
        var widthA = Measure.Median(beats.Where((b, i) => codes[i] == 'A').Select(b => Measure.QrsWidthMs(v, b, fs)));
        var couplings = new List<double>();
        var arounds = new List<double>();
        for (int i = 2; i + 1 < beats.Count; i++)
        {
            if (codes[i] != 'A' || codes[i - 1] != 'N' || codes[i - 2] != 'N' || codes[i + 1] != 'N') continue;
            double sinusRr = (beats[i - 1] - beats[i - 2]) / fs;
            couplings.Add((beats[i] - beats[i - 1]) / fs / sinusRr);
            arounds.Add((beats[i + 1] - beats[i - 1]) / fs / sinusRr);
        }
        output.WriteLine($"seed {seed}, rate {rate}: {pacs} PACs, {normals} sinus beats; median QRS width N {widthN:F0} ms, A {widthA:F0} ms; " +
                         $"coupling {couplings.Min():F2}–{couplings.Max():F2}, around {arounds.Min():F2}–{arounds.Max():F2} sinus cycles");
        Assert.Equal(beats.Count, pacs + normals);
        Assert.InRange(pacs / (double)normals, 0.6 * rate, 1.4 * rate);
        Assert.InRange(Math.Abs(widthA - widthN), 0, 10);                  // the normal QRS: conducted
        Assert.All(couplings, c => Assert.InRange(c, 0.45, 0.95));           // premature
        Assert.All(arounds, a => Assert.InRange(a, 1.45, 2.1));              // each: coupling + 1.0–1.1 cycles, give or take the sinus variability;
                                                                               // the median below is what says "reset"
        Assert.True(Measure.Median(arounds) < 1.9);                        // less than compensatory: coupling + 1.0–1.1 cycles
        // Atrial ectopy is no rhythm class of its own: the truth is sinus rhythm only (no VECT).
        Assert.Equal(["SR"], r.Truth.Select(e => e.Rhythm).Distinct());
    }

    [Fact]
    public void PacsAtAFastSinusRateAreOftenBlocked()
    {
        // At 150/min a PAC's QRS often comes within 300 ms of the last: the ectopic P alone, and a pause in the RR.
        var r = Simulator.Run(Measure.Clean(55, new ScenarioSegment("STACH", 120, HeartRate: 150, Ectopy: "pac", EctopyRate: 0.3)));
        double fs = r.SampleRate;
        var rr = r.BeatSamples.Zip(r.BeatSamples.Skip(1), (a, b) => (b - a) / fs).ToList();
        double cycle = Measure.Median(rr);
        int conducted = r.BeatCodes.Count(c => c == 'A'), pauses = rr.Count(x => x > 1.35 * cycle);
        output.WriteLine($"150/min, 30 % PACs: {conducted} conducted, {pauses} pauses over 1.35 cycles (sinus cycle {cycle:F3} s)");
        Assert.True(conducted >= 2, $"{conducted} PACs conducted");                  // 6 measured
        Assert.True(pauses >= 40, $"{pauses} pauses: blocked PACs should leave many"); // 66 measured
        Assert.All(r.BeatCodes, c => Assert.Contains(c, "NA"));
    }

    [Fact]
    public void PacsLeaveTheDrawsOfEverythingElseAlone()
    {
        // PACs draw from their own stream: the same segments with a PAC rate of 0 render exactly as with no PACs.
        var plain = Simulator.Run(Measure.Clean(54, new ScenarioSegment("SR", 30, HeartRate: 70), new ScenarioSegment("AF", 30)));
        var zero = Simulator.Run(Measure.Clean(54, new ScenarioSegment("SR", 30, HeartRate: 70, Ectopy: "pac", EctopyRate: 0), new ScenarioSegment("AF", 30)));
        for (int p = 0; p < plain.Signals.Length; p++) Assert.Equal(plain.Signals[p], zero.Signals[p]);
        Assert.Equal(plain.BeatSamples, zero.BeatSamples);
    }

    [Fact]
    public void PacedBeatsCarryASpikeBeforeAWideQrs()
    {
        var r = Simulator.Run(Measure.Clean(61, new ScenarioSegment("PACED", 20, HeartRate: 70)));
        double fs = r.SampleRate;
        var v = Measure.SpatialVelocity(r);
        foreach (var b in r.BeatSamples.Skip(1))
        {
            // The steepest slope of the beat is the pacing spike, about 40 ms before the fiducial.
            long spike = Enumerable.Range((int)b - 60, 90).MaxBy(i => v[i]);
            Assert.InRange((b - spike) * 1000 / fs, 30, 50);
        }
        var widths = r.BeatSamples.Skip(1).Select(b => Measure.QrsWidthMs(v, b + (long)(0.02 * fs), fs));
        Assert.All(r.BeatCodes, c => Assert.Equal('/', c));
        Assert.Contains(r.Truth, e => e.Rhythm == "PACE");
        output.WriteLine($"paced: median width incl. spike {Measure.Median(widths):F0} ms");
    }

    [Fact]
    public void PausesAndAsystoleAreAnnotatedFromTheBeatsAroundThem()
    {
        var r = Simulator.Run(Measure.Clean(71, new("SR", 20, HeartRate: 70), new("PAUSE", 3), new("SR", 20, HeartRate: 70), new("ASYSTOLE", 6, PWaves: true), new("SR", 10)));
        double fs = r.SampleRate;
        var pause = Assert.Single(r.Truth, e => e.Rhythm == "PAUSE");
        var asys = Assert.Single(r.Truth, e => e.Rhythm == "ASYSTOLE");
        var times = r.BeatSamples.Select(b => b / fs).ToArray();
        double before = times.Last(t => t < 20), after = times.First(t => t >= 20);
        Assert.Equal(before, pause.StartSeconds, 1 / fs);
        Assert.Equal(after, pause.EndSeconds, 1 / fs);
        Assert.True(pause.Duration >= 3, $"pause lasts {pause.Duration} s");
        Assert.Equal(43, asys.StartSeconds, 9);
        Assert.Equal(49, asys.EndSeconds, 9);
        Assert.DoesNotContain(times, t => t > 20 && t < 23);
        Assert.DoesNotContain(times, t => t > 43 && t < 49);
        // Only sinus rhythm episodes otherwise, split around the pause and the asystole.
        Assert.Equal(3, r.Truth.Count(e => e.Rhythm == "SR"));
    }

    [Fact]
    public void TransitionsAreContinuous()
    {
        var r = Simulator.Run(Measure.Clean(81, new("SR", 5), new("AF", 5), new("AFL", 5), new("VT", 5), new("VF", 5), new("SR", 5), new("SVT", 5), new("AF", 5), new("VF", 5), new("AF", 5)));
        double fs = r.SampleRate;
        foreach (var lead in new[] { Lead.II, Lead.V2, Lead.V5 })
        {
            var x = r.Lead(lead);
            var boundaries = Enumerable.Range(1, 9).Select(k => (int)(5 * k * fs)).ToArray();
            bool NearBoundary(int i) => boundaries.Any(b => Math.Abs(i - b) <= 10);
            // The largest sample-to-sample step anywhere else (a QRS upstroke) bounds the steps at
            // the transitions: a jump (activity switched on or off at once) would exceed it.
            double largest = 0;
            for (int i = 1; i < x.Length; i++) if (!NearBoundary(i)) largest = Math.Max(largest, Math.Abs(x[i] - x[i - 1]));
            foreach (var b in boundaries)
                for (int i = b - 3; i <= b + 3; i++)
                    Assert.True(Math.Abs(x[i] - x[i - 1]) <= largest, $"lead {lead}: step {Math.Abs(x[i] - x[i - 1]):F4} mV at t = {i / fs} s exceeds every step elsewhere ({largest:F4} mV)");
        }
    }

    [Fact]
    public void ContinuousActivityFadesWithoutJumps()
    {
        // No beats near these boundaries: any step there would be the VF/AF activity switching.
        var r = Simulator.Run(Measure.Clean(82, new("VF", 5), new("ASYSTOLE", 3), new("AF", 5, HeartRate: 50), new("VF", 5)));
        double fs = r.SampleRate;
        foreach (var lead in new[] { Lead.I, Lead.II, Lead.V1, Lead.V4 })
        {
            var x = r.Lead(lead);
            foreach (int b in new[] { (int)(5 * fs), (int)(8 * fs) })
                for (int i = b - 2; i <= b + 2; i++)
                    Assert.True(Math.Abs(x[i] - x[i - 1]) < 0.01, $"lead {lead}: step {Math.Abs(x[i] - x[i - 1]):F4} mV at t = {i / fs} s");
        }
    }
}
