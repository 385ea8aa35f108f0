using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace EcgStream.Formats.Wfdb;

/// <summary>
/// Reads digital samples from the signal files a header names: groups signals by file, checks each
/// file's length against what the header claims, decodes only the byte range a selection needs
/// (into pooled buffers), demultiplexes frames, applies skew, and verifies checksums whenever the
/// whole record is read.
/// </summary>
internal static class WfdbSignalReader
{
    /// <summary>One signal file and the header signals stored in it, in frame order.</summary>
    internal sealed record FileGroup(string Path, int Format, long ByteOffset, int[] Signals, int[] FrameOffset, int FrameSamples);

    /// <summary>Frames in the record: the header's count, else what the first signal file holds.</summary>
    public static long FrameCount(WfdbHeader h)
    {
        if (h.SampleCount is { } n) return n;
        if (h.Signals.Count == 0) return 0;
        var g = Groups(h)[0];
        long length = FileLength(h, g);
        // without sig_len the file's size says the length: an offset past its end is a wrong header, not an empty record
        if (g.ByteOffset > length)
            throw new EcgFormatException(g.Path, $"the header's byte offset {g.ByteOffset} lies past the end of the file ({length} bytes)", field: "byte_offset", byteOffset: length);
        return SignalFormats.SamplesIn(g.Format, length - g.ByteOffset) / g.FrameSamples;
    }

    /// <summary>
    /// Digital samples of <paramref name="channels"/> for frames [<paramref name="from"/>, <paramref name="to"/>):
    /// result[i] holds (to − from) × samples-per-frame values of header signal channels[i].
    /// </summary>
    public static int[][] Read(WfdbHeader h, long from, long to, IReadOnlyList<int> channels, WfdbPartReads? running = null)
    {
        var result = new int[channels.Count][];
        for (int i = 0; i < channels.Count; i++)
            result[i] = new int[checked((to - from) * h.Signals[channels[i]].SamplesPerFrame)];
        var target = new DigitalTarget(result);
        Read(h, from, to, channels, ref target, running);
        return result;
    }

    /// <summary>
    /// Physical values of <paramref name="channels"/> (each with one sample per frame) for frames
    /// [<paramref name="from"/>, <paramref name="to"/>), converted straight from the decode buffer.
    /// </summary>
    public static float[][] ReadPhysical(WfdbHeader h, long from, long to, IReadOnlyList<int> channels, WfdbPartReads? running = null)
    {
        var result = new float[channels.Count][];
        var scale = new double[channels.Count];
        var baseline = new int[channels.Count];
        var invalid = new int[channels.Count];
        for (int i = 0; i < channels.Count; i++)
        {
            var s = h.Signals[channels[i]];
            if (s.SamplesPerFrame != 1) throw new InvalidOperationException("ReadPhysical needs one sample per frame");
            result[i] = new float[to - from];
            scale[i] = UnitScale.MillivoltsPer(s.Units) / s.AdcGain;
            baseline[i] = s.Baseline;
            invalid[i] = SignalFormats.InvalidSample(s.Format) ?? int.MinValue;
        }
        var target = new PhysicalTarget(result, scale, baseline, invalid);
        Read(h, from, to, channels, ref target, running);
        return result;
    }

    private static void Read<T>(WfdbHeader h, long from, long to, IReadOnlyList<int> channels, ref T target, WfdbPartReads? running)
        where T : struct, ISampleTarget
    {
        long nFrames = FrameCount(h);
        var groups = Validate(h, nFrames);
        bool whole = from == 0 && to == nFrames;
        foreach (var g in groups)
        {
            bool wanted = false;
            foreach (int s in g.Signals) if (Contains(channels, s)) wanted = true;
            if (!wanted && !whole) continue;
            ReadGroup(h, g, nFrames, from, to, channels, ref target, verify: whole, running);
        }
    }

    /// <summary>Checks every signal file against the header (length, and the matrix of a .mat).</summary>
    public static List<FileGroup> Validate(WfdbHeader h) => Validate(h, FrameCount(h));

    private static List<FileGroup> Validate(WfdbHeader h, long nFrames)
    {
        var groups = Groups(h);
        foreach (var g in groups)
        {
            CheckMatWithoutOffset(h, g);   // before the length check, whose message would only say the length is wrong
            try { CheckLength(h, g, nFrames); }
            catch (OverflowException)
            {
                throw new EcgFormatException(h.Path, $"{nFrames} frames of {g.FrameSamples} samples is beyond any file size", field: "sig_len");
            }
            CheckMatMatrix(h, g, nFrames);
        }
        return groups;
    }

    private static bool Contains(IReadOnlyList<int> list, int value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return true;
        return false;
    }

    // Samples decoded per chunk: bounded memory whatever the record length (a 24-hour Holter
    // reads through the same 256 KB buffers as a 10-second strip).
    private const int ChunkSamples = 1 << 16;

    private static void ReadGroup<T>(WfdbHeader h, FileGroup g, long nFrames, long from, long to,
        IReadOnlyList<int> channels, ref T target, bool verify, WfdbPartReads? running) where T : struct, ISampleTarget
    {
        int minSkew = 0, maxSkew = 0;
        foreach (int s in g.Signals) { minSkew = Math.Min(minSkew, h.Signals[s].Skew); maxSkew = Math.Max(maxSkew, h.Signals[s].Skew); }

        // Frames to decode: the whole file for a verified read, else the selection widened by the skews; format 8's
        // differences are integrated from the start, or from where the previous part of a record read in parts left its
        // running values (else every part of a replay decoded the file from frame 0: quadratic in its length).
        long f0, f1;
        int n = g.Signals.Length;
        Span<int> acc = n <= 64 ? stackalloc int[n] : new int[n];      // format 8 running values
        for (int k = 0; k < n; k++) acc[k] = h.Signals[g.Signals[k]].InitialValue;
        if (verify) { f0 = 0; f1 = nFrames; }
        else
        {
            f0 = Math.Clamp(from + minSkew, 0, nFrames); f1 = Math.Clamp(to + maxSkew, f0, nFrames);
            if (g.Format == 8) f0 = running?.TryResumeFormat8(g, f0, acc) ?? 0;
        }
        // where the next part of a sequential read will start: format 8's running values are kept there
        long resumeAt = g.Format == 8 && running is not null && !verify ? Math.Clamp(to + minSkew, f0, f1) : -1;
        FillOutside(h, g, nFrames, from, to, channels, ref target);
        if (f1 <= f0) return;

        int stride = g.FrameSamples;
        int groupSamples = SignalFormats.GroupSamples(g.Format), groupBytes = SignalFormats.GroupBytes(g.Format);
        int chunkFrames = Math.Max(1, ChunkSamples / stride);
        int maxSamples = chunkFrames * stride + groupSamples;
        int maxBytes = (int)SignalFormats.MaxBytes(g.Format, maxSamples);

        Span<int> sums = n <= 64 ? stackalloc int[n] : new int[n];     // checksums, mod 2^32

        byte[] raw = ArrayPool<byte>.Shared.Rent(maxBytes);
        int[] stream = ArrayPool<int>.Shared.Rent(maxSamples);
        try
        {
            using var handle = RecordFiles.OpenHandle(g.Path, FileOptions.SequentialScan);
            for (long cf = f0; cf < f1; cf += chunkFrames)
            {
                long ce = Math.Min(f1, cf + chunkFrames);
                // A chunk may start inside a packing group (212 pairs, 310/311 triples): decode from
                // the group's start and drop the lead.
                long s0 = cf * stride, alignedStart = s0 / groupSamples * groupSamples;
                int lead = (int)(s0 - alignedStart);
                int count = (int)(ce * stride - alignedStart);
                int bytes = (int)SignalFormats.MaxBytes(g.Format, count);
                int got = ReadFully(handle, raw.AsSpan(0, bytes), g.ByteOffset + alignedStart / groupSamples * groupBytes);
                // The file's last group may legitimately be short (see SignalFormats.MinBytes).
                raw.AsSpan(got, bytes - got).Clear();
                var samples = stream.AsSpan(0, count);
                SignalFormats.Decode(g.Format, raw.AsSpan(0, bytes), samples);
                samples = samples[lead..];

                if (g.Format == 8) Integrate(h, g, samples, acc, cf, resumeAt, running);
                if (verify) AddToChecksums(h, g, samples, sums);
                running?.Add(g, samples, cf, ce);   // a part of a record read in parts: its sums build up across reads
                Demultiplex(h, g, samples, cf, ce, from, to, channels, ref target);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            ArrayPool<int>.Shared.Return(stream);
        }
        if (resumeAt == f1) running!.SaveFormat8(g, f1, acc);
        if (verify) VerifyChecksums(h, g, sums);
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    // Format 8 stores first differences; each signal starts from its initial value and carries
    // its running value from chunk to chunk in acc. The running values before frame resumeAt (the chunk's first frame is
    // firstFrame) are kept in running for the next part of a read in parts.
    private static void Integrate(WfdbHeader h, FileGroup g, Span<int> samples, Span<int> acc, long firstFrame, long resumeAt, WfdbPartReads? running)
    {
        int frames = samples.Length / g.FrameSamples;
        for (int f = 0; f < frames; f++)
        {
            if (firstFrame + f == resumeAt) running!.SaveFormat8(g, resumeAt, acc);
            int baseIdx = f * g.FrameSamples;
            for (int k = 0; k < g.Signals.Length; k++)
            {
                int spf = h.Signals[g.Signals[k]].SamplesPerFrame, o = baseIdx + g.FrameOffset[k];
                for (int j = 0; j < spf; j++) { acc[k] += samples[o + j]; samples[o + j] = acc[k]; }
            }
        }
    }

    internal static void AddToChecksums(WfdbHeader h, FileGroup g, ReadOnlySpan<int> samples, Span<int> sums)
    {
        int stride = g.FrameSamples, frames = samples.Length / stride;
        for (int k = 0; k < g.Signals.Length; k++)
        {
            int spf = h.Signals[g.Signals[k]].SamplesPerFrame, off = g.FrameOffset[k];
            int sum = 0;
            if (spf == 1)
                for (int f = 0, i = off; f < frames; f++, i += stride) sum += samples[i];
            else
                for (int f = 0; f < frames; f++)
                    foreach (int v in samples.Slice(f * stride + off, spf)) sum += v;
            sums[k] += sum;
        }
    }

    internal static void VerifyChecksums(WfdbHeader h, FileGroup g, ReadOnlySpan<int> sums)
    {
        for (int k = 0; k < g.Signals.Length; k++)
        {
            var spec = h.Signals[g.Signals[k]];
            if (spec.Checksum is not { } expected) continue;
            short actual = unchecked((short)sums[k]);
            if (actual != expected)
                throw new EcgFormatException(g.Path,
                    $"checksum mismatch for signal {g.Signals[k]} ('{spec.Description}'): the header says {expected}, the samples sum to {actual} (mod 2^16); the signal file is corrupt or does not belong to this header",
                    field: "checksum");
        }
    }

    // Writes the output frames t in [from, to) whose stored frame t + skew lies in the decoded
    // chunk [cf, ce); samples[0] is the first sample of frame cf.
    private static void Demultiplex<T>(WfdbHeader h, FileGroup g, ReadOnlySpan<int> samples, long cf, long ce,
        long from, long to, IReadOnlyList<int> channels, ref T target) where T : struct, ISampleTarget
    {
        int stride = g.FrameSamples;
        for (int c = 0; c < channels.Count; c++)
        {
            int k = Array.IndexOf(g.Signals, channels[c]);
            if (k < 0) continue;
            var spec = h.Signals[channels[c]];
            int spf = spec.SamplesPerFrame, off = g.FrameOffset[k];
            long a = Math.Max(from, cf - spec.Skew), b = Math.Min(to, ce - spec.Skew);
            if (b <= a) continue;
            int first = (int)((a + spec.Skew - cf) * stride) + off;
            if (spf == 1) target.Strided(c, samples, first, stride, (int)(b - a), (int)(a - from));
            else
                for (long t = a; t < b; t++)
                    target.Strided(c, samples, first + (int)((t - a) * stride), 1, spf, (int)((t - from) * spf));
        }
    }

    // Output frames whose stored frame (t + skew) lies outside the record hold WFDB's invalid marker.
    private static void FillOutside<T>(WfdbHeader h, FileGroup g, long nFrames, long from, long to, IReadOnlyList<int> channels, ref T target)
        where T : struct, ISampleTarget
    {
        int invalid = SignalFormats.InvalidSample(g.Format) ?? int.MinValue;
        for (int c = 0; c < channels.Count; c++)
        {
            if (Array.IndexOf(g.Signals, channels[c]) < 0) continue;
            var spec = h.Signals[channels[c]];
            int spf = spec.SamplesPerFrame;
            long a = Math.Clamp(-spec.Skew, from, to), b = Math.Clamp(nFrames - spec.Skew, a, to);
            if (a > from) target.Fill(c, 0, (int)((a - from) * spf), invalid);
            if (to > b) target.Fill(c, (int)((b - from) * spf), (int)((to - b) * spf), invalid);
        }
    }

    private static void CheckLength(WfdbHeader h, FileGroup g, long nFrames)
    {
        long length = FileLength(h, g);
        long data = length - g.ByteOffset;
        long samples = checked(nFrames * g.FrameSamples);
        long min = SignalFormats.MinBytes(g.Format, samples), max = SignalFormats.MaxBytes(g.Format, samples);
        if (data < min)
            throw new EcgFormatException(g.Path,
                $"file is truncated: the header describes {nFrames} frames of {g.FrameSamples} samples in format {g.Format} = {min} bytes after the byte offset {g.ByteOffset}, but the file holds {Math.Max(0, data)}",
                byteOffset: length);
        if (h.SampleCount is not null && data > max)
            throw new EcgFormatException(g.Path,
                $"file holds {data} bytes after the byte offset {g.ByteOffset}, but the header's {nFrames} frames of {g.FrameSamples} samples in format {g.Format} take {max}: the header's length or format is wrong",
                byteOffset: g.ByteOffset + max);
    }

    // PhysioNet challenge .mat files are a MATLAB v4 matrix 'val' (signals × frames, int16,
    // column-major, i.e. frame-interleaved) whose data begin at the header's byte offset: check
    // that the matrix is what the WFDB header describes.
    private static void CheckMatMatrix(WfdbHeader h, FileGroup g, long nFrames)
    {
        if (!g.Path.EndsWith(".mat", StringComparison.OrdinalIgnoreCase) || g.ByteOffset == 0) return;
        var m = Mat.MatV4.ReadFirstHeader(g.Path);
        string what = $"the .mat holds a {m.Rows}×{m.Columns} {m.Precision} matrix '{m.Name}' whose data start at byte {m.DataOffset}";
        if (m.DataOffset != g.ByteOffset)
            throw new EcgFormatException(g.Path, $"{what}, but the header's byte offset is {g.ByteOffset}", field: "byte_offset");
        var expected = g.Format switch
        {
            16 => Mat.MatV4Precision.Int16,
            80 => Mat.MatV4Precision.UInt8,
            32 => Mat.MatV4Precision.Int32,
            _ => (Mat.MatV4Precision?)null,
        };
        if (expected is { } p && (m.Precision != p || m.BigEndian))
            throw new EcgFormatException(g.Path, $"{what}, but format {g.Format} needs little-endian {p}", field: "fmt");
        if (m.Rows != g.FrameSamples || m.Columns != nFrames)
            throw new EcgFormatException(g.Path, $"{what}, but the header describes {g.FrameSamples} samples per frame × {nFrames} frames", field: "sig_len");
    }

    // A header that forgot "+24" beside a PhysioNet .mat: the MAT header itself would be read as the first samples (one a
    // 25 mV spike), and the file is longer than the samples by that header.
    private static void CheckMatWithoutOffset(WfdbHeader h, FileGroup g)
    {
        if (!g.Path.EndsWith(".mat", StringComparison.OrdinalIgnoreCase) || g.ByteOffset != 0) return;
        Mat.MatV4Header first;
        try { first = Mat.MatV4.ReadFirstHeader(g.Path); }
        catch (Exception e) when (e is EcgFormatException or IOException) { return; }   // not a MAT v4 file (or none): raw samples, or the length check's error
        if (first.Name.Length == 0 || first.Rows <= 0 || first.Columns <= 0) return;   // zeros read as a header: not one
        throw new EcgFormatException(h.Path,
            $"'{g.Path}' is a MAT v4 file whose matrix '{first.Name}' starts at byte {first.DataOffset}, but the header gives no byte offset (write it as {g.Format}+{first.DataOffset})",
            field: "byte_offset");
    }

    private static long FileLength(WfdbHeader h, FileGroup g)
    {
        // a FIFO or a device has no length to check against the header (0, or a link's own): refuse it by name instead
        RecordFiles.RequireRegularFile(g.Path);
        try
        {
            var info = new FileInfo(g.Path);
            // a symbolic link's own length is its target's name: measure the file it leads to
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
            return info.Length;
        }
        catch (FileNotFoundException e)
        {
            if (Directory.Exists(g.Path))
                throw new EcgFormatException(h.Path, $"signal file '{g.Path}' named in the header is a directory", field: "file_name", inner: e);
            throw new EcgFormatException(h.Path, $"signal file '{g.Path}' named in the header does not exist", field: "file_name", inner: e);
        }
    }

    internal static List<FileGroup> Groups(WfdbHeader h)
    {
        var groups = new List<FileGroup>();
        var dir = h.Directory;
        int i = 0;
        while (i < h.Signals.Count)
        {
            var first = h.Signals[i];
            int j = i;
            while (j < h.Signals.Count && h.Signals[j].FileName == first.FileName) j++;
            var signals = new int[j - i];
            var offsets = new int[j - i];
            int frame = 0;
            for (int k = i; k < j; k++)
            {
                var s = h.Signals[k];
                if (s.Format != first.Format)
                    throw new EcgFormatException(h.Path, $"signals {i} and {k} share file '{first.FileName}' but have formats {first.Format} and {s.Format}", field: "fmt");
                if (s.ByteOffset != first.ByteOffset)
                    throw new EcgFormatException(h.Path, $"signals {i} and {k} share file '{first.FileName}' but have byte offsets {first.ByteOffset} and {s.ByteOffset}", field: "byte_offset");
                signals[k - i] = k;
                offsets[k - i] = frame;
                frame += s.SamplesPerFrame;
            }
            foreach (var g in groups)
                if (Path.GetFileName(g.Path) == first.FileName)
                    throw new EcgFormatException(h.Path, $"signals of file '{first.FileName}' are not listed consecutively", field: "file_name");
            groups.Add(new FileGroup(Path.Combine(dir, first.FileName), first.Format, first.ByteOffset, signals, offsets, frame));
            i = j;
        }
        return groups;
    }
}
