using EcgStream.Formats.Wfdb;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests.Wfdb;

public sealed class AnnotationRoundTripTests
{
    private static readonly Gen<long> Gap = Gen.Frequency(
        (6, Gen.Choose(0, 400).Select(x => (long)x)),
        (2, Gen.Choose(1000, 1100).Select(x => (long)x)),          // around the 10-bit limit
        (1, Gen.Choose(1, 2_000_000_000).Select(x => (long)x)));  // long gaps → SKIP

    // "\0none" stands for "no aux string" (FsCheck's generators are not nullable-annotated).
    private static readonly Gen<string> Aux = Gen.Frequency(
        (5, Gen.Constant("\0none")),
        (3, Gen.Elements("(AFIB", "(N", "(AFL", "(VT", "(B", "(SVTA", "", "x")),
        (2, Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0x20, 0xFF).Select(c => (char)c), n)).Select(a => new string(a))));

    /// <summary>FsCheck's source of annotation lists for [Property] methods taking Annotation[].</summary>
    public static class AnnotationLists
    {
        public static Arbitrary<Annotation[]> Annotations() => Lists.ToArbitrary();
    }

    private static readonly Gen<Annotation[]> Lists =
        Gen.ListOf(
            from gap in Gap
            from code in Gen.Frequency((6, Gen.Elements(1, 5, 28, 14)), (2, Gen.Choose(0, 49)))
            from sub in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(0, 255)))
            from chn in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(0, 255)))
            from num in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(0, 255)))
            from aux in Aux
            select (gap, code, sub, chn, num, aux))
        .Select(items =>
        {
            long t = 0;
            return items.Select(x =>
            {
                t += x.gap;
                return new Annotation(t, (AnnotationCode)x.code, (byte)x.sub, (byte)x.chn, (byte)x.num, x.aux == "\0none" ? null : x.aux);
            }).ToArray();
        });

    [Property(Arbitrary = [typeof(AnnotationLists)])]
    public bool Any_annotation_list_encodes_and_decodes_identically(Annotation[] anns) =>
        W.ParseAnnotations(W.EncodeAnnotations(anns)).SequenceEqual(anns);

    [Fact]
    public void Written_file_reads_back_identically()
    {
        var anns = new Annotation[]
        {
            new(0, AnnotationCode.NotQrs, Aux: "(N"),                // code 0 at time 0: needs the SKIP −1 trick
            new(18, AnnotationCode.Rhythm, Aux: "(AFIB"),             // odd length: padded
            new(18, AnnotationCode.Normal),
            new(300, AnnotationCode.Pvc, SubType: 255, Channel: 1, Num: 3),
            new(300 + 1024, AnnotationCode.Normal, Channel: 1, Num: 3),
            new(5_000_000_000 / 4, AnnotationCode.Noise, Aux: "qq"),  // SKIP of 1.25e9
            new(5_000_000_000 / 4, AnnotationCode.NotQrs),
        };
        using var dir = new TempDir();
        W.WriteAnnotations(dir.File("rec"), "test", anns);
        Assert.Equal(anns, W.ReadAnnotations(dir.File("rec"), "test"));
    }

    [Fact]
    public void Encoding_matches_the_mit_format_byte_for_byte()
    {
        var bytes = W.EncodeAnnotations([
            new(5, AnnotationCode.Normal),                        // word (1<<10)|5 = 0x0405
            new(2005, AnnotationCode.Rhythm, Aux: "(N"),          // SKIP 2000 (0xEC00; 00 00 D0 07), word 0x7000, AUX 2: 0xFC02 '(' 'N'
            new(2005, AnnotationCode.Pvc, Channel: 1),             // word 0x1400, CHN 1: 0xF801
        ]);
        Assert.Equal(new byte[]
        {
            0x05, 0x04,
            0x00, 0xEC, 0x00, 0x00, 0xD0, 0x07, 0x00, 0x70, 0x02, 0xFC, (byte)'(', (byte)'N',
            0x00, 0x14, 0x01, 0xF8,
            0x00, 0x00,
        }, bytes);
    }

    [Fact]
    public void Unsorted_or_unrepresentable_annotations_are_refused_with_the_index()
    {
        var e = Assert.Throws<ArgumentException>(() => W.EncodeAnnotations([new(10, AnnotationCode.Normal), new(5, AnnotationCode.Normal)]));
        Assert.Contains("annotation 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => W.EncodeAnnotations([new(1, AnnotationCode.Rhythm, Aux: new string('x', 256))]));
        Assert.Contains("at most 255", e.Message);
        e = Assert.Throws<ArgumentException>(() => W.EncodeAnnotations([new(1, (AnnotationCode)50)]));
        Assert.Contains("code 50", e.Message);
    }
}
