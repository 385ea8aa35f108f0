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
        long bytes = FileLength(h, g) - g.ByteOffset;
        return Math.Max(0, SignalFormats.SamplesIn(g.Format, bytes) / g.FrameSamples);
    }

    /// <summary>
    /// Digital samples of <paramref name="channels"/> for frames [<paramref name="from"/>, <paramref name="to"/>):
    /// result[i] holds (to − from) × samples-per-frame values of header signal channels[i].
    /// </summary>
    public static int[][] Read(WfdbHeader h, long from, long to, IReadOnlyList<int> channels)
    {
        long nFrames = FrameCount(h);
        var groups = Validate(h, nFrames);

        var result = new int[channels.Count][];
        for (int i = 0; i < channels.Count; i++)
            result[i] = new int[checked((to - from) * h.Signals[channels[i]].SamplesPerFrame)];

        bool whole = from == 0 && to == nFrames;
        foreach (var g in groups)
        {
            bool wanted = false;
            foreach (int s in g.Signals) if (Contains(channels, s)) wanted = true;
            if (!wanted && !whole) continue;
            ReadGroup(h, g, nFrames, from, to, channels, result, verify: whole);
        }
        return result;
    }

    /// <summary>Checks every signal file against the header (length, and the matrix of a .mat).</summary>
    public static List<FileGroup> Validate(WfdbHeader h) => Validate(h, FrameCount(h));

    private static List<FileGroup> Validate(WfdbHeader h, long nFrames)
    {
        var groups = Groups(h);
        foreach (var g in groups)
        {
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

    private static void ReadGroup(WfdbHeader h, FileGroup g, long nFrames, long from, long to,
        IReadOnlyList<int> channels, int[][] result, bool verify)
    {
        int minSkew = 0, maxSkew = 0;
        foreach (int s in g.Signals) { minSkew = Math.Min(minSkew, h.Signals[s].Skew); maxSkew = Math.Max(maxSkew, h.Signals[s].Skew); }

        // Frames to decode: the whole file for a verified read or for format 8 (differences must be
        // integrated from the start), else only the selection widened by the skews.
        long f0, f1;
        if (verify || g.Format == 8) { f0 = 0; f1 = nFrames; }
        else { f0 = Math.Clamp(from + minSkew, 0, nFrames); f1 = Math.Clamp(to + maxSkew, f0, nFrames); }
        if (f1 <= f0) { FillInvalid(h, g, from, to, channels, result); return; }

        int groupSamples = SignalFormats.GroupSamples(g.Format), groupBytes = SignalFormats.GroupBytes(g.Format);
        long s0 = f0 * g.FrameSamples, s1 = f1 * g.FrameSamples;
        long alignedStart = s0 / groupSamples * groupSamples;
        int lead = (int)(s0 - alignedStart);
        long sampleCount = s1 - alignedStart;
        if (sampleCount > Array.MaxLength / 4)
            throw new EcgFormatException(g.Path, $"selection of {sampleCount} samples is too large to read at once; read it in parts with sampFrom/sampTo");
        long byteStart = g.ByteOffset + alignedStart / groupSamples * groupBytes;
        int byteCount = (int)SignalFormats.MaxBytes(g.Format, sampleCount);

        byte[] raw = ArrayPool<byte>.Shared.Rent(byteCount);
        int[] stream = ArrayPool<int>.Shared.Rent((int)sampleCount);
        try
        {
            int got;
            using (var handle = File.OpenHandle(g.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
                got = ReadFully(handle, raw.AsSpan(0, byteCount), byteStart);
            // The last group may legitimately be short (see SignalFormats.MinBytes); zero its tail.
            raw.AsSpan(got, byteCount - got).Clear();
            var samples = stream.AsSpan(0, (int)sampleCount);
            SignalFormats.Decode(g.Format, raw.AsSpan(0, byteCount), samples);
            samples = samples[lead..];

            if (g.Format == 8) Integrate(h, g, samples);
            if (verify) VerifyChecksums(h, g, samples, nFrames);
            Demultiplex(h, g, samples, f0, nFrames, from, to, channels, result);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            ArrayPool<int>.Shared.Return(stream);
        }
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

    // Format 8 stores first differences; each signal starts from its initial value.
    private static void Integrate(WfdbHeader h, FileGroup g, Span<int> samples)
    {
        Span<int> acc = g.Signals.Length <= 64 ? stackalloc int[g.Signals.Length] : new int[g.Signals.Length];
        for (int k = 0; k < g.Signals.Length; k++) acc[k] = h.Signals[g.Signals[k]].InitialValue;
        int frames = samples.Length / g.FrameSamples;
        for (int f = 0; f < frames; f++)
        {
            int baseIdx = f * g.FrameSamples;
            for (int k = 0; k < g.Signals.Length; k++)
            {
                int spf = h.Signals[g.Signals[k]].SamplesPerFrame, o = baseIdx + g.FrameOffset[k];
                for (int j = 0; j < spf; j++) { acc[k] += samples[o + j]; samples[o + j] = acc[k]; }
            }
        }
    }

    private static void VerifyChecksums(WfdbHeader h, FileGroup g, ReadOnlySpan<int> samples, long nFrames)
    {
        for (int k = 0; k < g.Signals.Length; k++)
        {
            var spec = h.Signals[g.Signals[k]];
            if (spec.Checksum is not { } expected) continue;
            int sum = 0;
            int spf = spec.SamplesPerFrame, off = g.FrameOffset[k], stride = g.FrameSamples;
            if (spf == 1)
                for (long f = 0; f < nFrames; f++) sum += samples[(int)(f * stride) + off];
            else
                for (long f = 0; f < nFrames; f++)
                    for (int j = 0; j < spf; j++) sum += samples[(int)(f * stride) + off + j];
            short actual = unchecked((short)sum);
            if (actual != expected)
                throw new EcgFormatException(g.Path,
                    $"checksum mismatch for signal {g.Signals[k]} ('{spec.Description}'): the header says {expected}, the samples sum to {actual} (mod 2^16); the signal file is corrupt or does not belong to this header",
                    field: "checksum");
        }
    }

    private static void Demultiplex(WfdbHeader h, FileGroup g, ReadOnlySpan<int> samples, long f0, long nFrames,
        long from, long to, IReadOnlyList<int> channels, int[][] result)
    {
        int invalid = SignalFormats.InvalidSample(g.Format) ?? int.MinValue;
        for (int c = 0; c < channels.Count; c++)
        {
            int k = Array.IndexOf(g.Signals, channels[c]);
            if (k < 0) continue;
            var spec = h.Signals[channels[c]];
            int spf = spec.SamplesPerFrame, off = g.FrameOffset[k], stride = g.FrameSamples;
            var dst = result[c].AsSpan();
            long decodedEnd = f0 + samples.Length / stride;
            if (spf == 1 && spec.Skew == 0 && from >= f0 && to <= decodedEnd)
            {
                // The common case, kept tight: one strided copy.
                int src = (int)((from - f0) * stride) + off;
                for (int i = 0; i < dst.Length; i++, src += stride) dst[i] = samples[src];
                continue;
            }
            for (long t = from; t < to; t++)
            {
                long f = t + spec.Skew;
                int o = (int)((t - from) * spf);
                if (f < 0 || f >= nFrames || f < f0 || f >= decodedEnd)
                {
                    dst.Slice(o, spf).Fill(invalid);
                    continue;
                }
                samples.Slice((int)((f - f0) * stride) + off, spf).CopyTo(dst.Slice(o, spf));
            }
        }
    }

    private static void FillInvalid(WfdbHeader h, FileGroup g, long from, long to, IReadOnlyList<int> channels, int[][] result)
    {
        int invalid = SignalFormats.InvalidSample(g.Format) ?? int.MinValue;
        for (int c = 0; c < channels.Count; c++)
            if (Array.IndexOf(g.Signals, channels[c]) >= 0) result[c].AsSpan().Fill(invalid);
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

    private static long FileLength(WfdbHeader h, FileGroup g)
    {
        try { return new FileInfo(g.Path).Length; }
        catch (FileNotFoundException e)
        {
            throw new EcgFormatException(h.Path, $"signal file '{g.Path}' named in the header does not exist", field: "file_name", inner: e);
        }
    }

    private static List<FileGroup> Groups(WfdbHeader h)
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
