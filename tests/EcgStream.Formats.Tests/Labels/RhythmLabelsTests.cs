using EcgStream.Core.Rhythms;
using EcgStream.Formats.Labels;
using EcgStream.Formats.Wfdb;
using EcgStream.Tests;

namespace EcgStream.Formats.Tests.Labels;

public class RhythmLabelsTests
{
    private static Annotation R(long sample, string aux) => new(sample, AnnotationCode.Rhythm, Aux: aux);

    [Fact]
    public void Rhythm_changes_become_class_episodes_and_unmapped_rhythms_are_counted()
    {
        var notes = new[]
        {
            R(0, "(N"), new Annotation(50, AnnotationCode.Normal), R(1000, "(AFIB"), R(3000, "(NOD"), R(3500, "(AFIB"), R(4000, "(B"),
        };
        var result = RhythmLabels.ToEpisodes(notes, 100, 5000);
        Assert.Equal(
            [new Episode("SR", 0, 10), new Episode("AF", 10, 30), new Episode("AF", 35, 40), new Episode("VECT", 40, 50)],
            result.Episodes);
        Assert.Equal(1, result.Unmapped["NOD"]);
    }

    [Fact]
    public void Annotations_past_the_records_end_are_left_out_and_counted()
    {
        // a 30 s record (100 Hz) read with the annotations of a 30 min one: AF from 10 s, back to N at 100 s, AF at 200 s
        var notes = new[] { R(0, "(N"), R(1000, "(AFIB"), R(10_000, "(N"), R(20_000, "(AFIB") };
        var result = RhythmLabels.ToEpisodes(notes, 100, 3000);
        Assert.Equal([new Episode("SR", 0, 10), new Episode("AF", 10, 30)], result.Episodes);
        Assert.Equal(2, result.PastEnd);
        Assert.Equal("r.atr: 2 rhythm annotation(s) lie past the record's end and were left out; is it this record's file?", result.PastEndWarning("r.atr"));
        Assert.Null(RhythmLabels.ToEpisodes(notes[..2], 100, 3000).PastEndWarning("r.atr"));
    }

    [Fact]
    public void Episodes_written_as_annotations_read_back_as_the_same_episodes()
    {
        var episodes = new[] { new Episode("AF", 10, 30), new Episode("VT", 30, 32.5), new Episode("SBRAD", 100, 160) };
        var notes = RhythmLabels.ToAnnotations(episodes, 250);
        var back = RhythmLabels.ToEpisodes(notes, 250, 250 * 200).Episodes.Where(e => e.Rhythm != "SR");
        Assert.Equal(episodes, back);
    }

    [Fact]
    public void An_episode_outside_the_class_set_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => RhythmLabels.ToAnnotations([new Episode("PAUSE", 1, 2)], 250));
        Assert.Contains("PAUSE", ex.Message);
    }

    [DataFact("mitdb")]
    public void Mitdb_201_and_203_have_af_episodes_mapped()
    {
        foreach (var rec in new[] { "201", "203" })
        {
            var path = TestData.PathOf("mitdb", rec);
            var header = EcgStream.Formats.Wfdb.Wfdb.ReadHeader(path);
            var eps = RhythmLabels.ToEpisodes(EcgStream.Formats.Wfdb.Wfdb.ReadAnnotations(path), header.SamplingFrequency, header.SampleCount!.Value);
            Assert.Contains(eps.Episodes, e => e.Rhythm == "AF" && e.Duration > 10);
        }
    }
}
