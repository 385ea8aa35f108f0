using EcgStream.Core.Leads;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Synthetic.Tests;

public class WfdbOutputTests
{
    [Fact]
    public void RecordAndTruthRoundTripThroughWfdb()
    {
        var s = Measure.Clean(8, new("SR", 8), new("AF", 8), new("BIGEMINY", 8), new("VT", 4), new("VF", 4), new("ASYSTOLE", 3), new("PACED", 5, LeadOff: ["V4"], LeadOffMode: "rail"))
            with { Noise = new NoiseSpec { Snr = 15 } };
        var r = Simulator.Run(s);
        var dir = Path.Combine(Path.GetTempPath(), $"ecgstream-synth-{Guid.NewGuid():N}");
        try
        {
            var path = r.WriteWfdb(dir, "synth8");
            var back = Wfdb.ReadRecord(path);
            Assert.Equal(r.SampleRate, back.SampleRate);
            Assert.Equal(r.Length, back.Length);
            Assert.Equal(Leads.Count, back.Samples.Length);
            foreach (var lead in r.Leads)
            {
                var a = r.Lead(lead);
                var b = back.Samples[back.ChannelOf(lead)];
                for (int i = 0; i < a.Length; i++)
                    Assert.True(Math.Abs(a[i] - b[i]) <= 0.5 / SimulatedRecord.WfdbGain + 1e-6, $"{lead}[{i}]: wrote {a[i]}, read {b[i]}");
            }
            // Written digital values read back exactly: writing what was read gives the same bytes.
            var again = Path.Combine(dir, "again");
            Wfdb.WriteRecord(again, back, new WfdbWriteOptions { RecordName = "synth8" });
            Assert.Equal(File.ReadAllBytes(path + ".dat"), File.ReadAllBytes(Path.Combine(again, "synth8.dat")));

            var ann = Wfdb.ReadAnnotations(path);
            Assert.Equal(r.Annotations(), ann);
            var beats = ann.Where(a => a.IsBeat).ToArray();
            Assert.Equal(r.BeatSamples, beats.Select(a => a.Sample));
            Assert.Equal(["(N", "(AFIB", "(B", "(VT", "(VFL", "(ASYS", "(P"], ann.Where(a => a.Code == AnnotationCode.Rhythm).Select(a => a.Aux!));
            Assert.Contains(beats, a => a.Code == AnnotationCode.Pvc);
            Assert.Contains(beats, a => a.Code == AnnotationCode.Paced);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Premature_atrial_beats_are_written_as_APC_annotations()
    {
        var r = Simulator.Run(Measure.Clean(9, new ScenarioSegment("PAC", 60, HeartRate: 80, EctopyRate: 0.3)));
        var dir = Directory.CreateTempSubdirectory("ecgstream-synth-pac-");
        try
        {
            var ann = Wfdb.ReadAnnotations(r.WriteWfdb(dir.FullName, "pac9"));
            int pacs = r.BeatCodes.Count(c => c == 'A');
            Assert.True(pacs >= 5, $"{pacs} PACs");
            Assert.Equal(pacs, ann.Count(a => a.Code == AnnotationCode.Apc));
            Assert.Equal(r.BeatCodes.Count - pacs, ann.Count(a => a.Code == AnnotationCode.Normal));
        }
        finally { dir.Delete(recursive: true); }
    }
}
