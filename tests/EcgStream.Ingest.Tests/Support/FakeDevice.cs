using EcgStream.Core.Leads;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>
/// A device in a test: writes exact protocol bytes (INFO, DATA frames whose samples are a known
/// function of sequence, sample and lead), optionally with faults, and remembers what it did.
/// </summary>
public sealed class FakeDevice
{
    private readonly byte[] _frame = new byte[WireProtocol.MaxFrame];
    private readonly int[] _samples;
    private readonly Random _rng;

    public FakeDevice(DeviceInfo? info = null, int seed = 1)
    {
        Info = info ?? Twelve;
        _samples = new int[Info.SamplesPerFrame * Info.Leads.Count];
        _rng = new Random(seed);
    }

    public static DeviceInfo Twelve { get; } = new()
    {
        SampleRateMilliHz = 500_000, GainPicovolts = 2_500_000, Leads = LeadSet.All, Format = SampleFormat.Int16,
        SamplesPerFrame = 10, DeviceId = 9, Firmware = "fake 1",
    };

    public DeviceInfo Info { get; }
    /// <summary>Sequence numbers whose frames were written intact, in order (duplicates once).</summary>
    public List<uint> Intact { get; } = [];
    /// <summary>Sequence numbers lost (dropped or corrupted).</summary>
    public HashSet<uint> Lost { get; } = [];
    public int Duplicated { get; private set; }

    /// <summary>The LSB value of lead plane <paramref name="lead"/> at sample <paramref name="i"/> of frame <paramref name="seq"/>.</summary>
    public static int Value(uint seq, int i, int lead) => (int)((seq * 131u + (uint)i * 977u + (uint)lead * 4099u) % 60001u) - 30000;

    public int WriteInfo(Span<byte> dest) => WireEncoder.EncodeInfo(Info, dest);

    public ReadOnlySpan<byte> DataFrame(uint seq)
    {
        int spf = Info.SamplesPerFrame, leads = Info.Leads.Count;
        for (int i = 0; i < spf; i++)
            for (int l = 0; l < leads; l++) _samples[i * leads + l] = Value(seq, i, l);
        int n = WireEncoder.EncodeData(Info, seq, seq * 20_000u, (ushort)(seq % 100 == 7 ? 0x0801 : 0), _samples, _frame);
        return _frame.AsSpan(0, n);
    }

    /// <summary>Writes an INFO frame then frames <paramref name="first"/> … first+count−1 with the given fault probabilities.</summary>
    public void Write(Stream s, uint first, int count, double corrupt = 0, double drop = 0, double duplicate = 0, int infoEvery = 50)
    {
        var info = new byte[128];
        s.Write(info, 0, WriteInfo(info));
        for (int k = 0; k < count; k++)
        {
            uint seq = first + (uint)k;
            if (k > 0 && k % infoEvery == 0) s.Write(info, 0, WriteInfo(info));
            var f = DataFrame(seq);
            double r = _rng.NextDouble();
            // the first and last frames stay intact so every gap is bounded by delivered frames
            bool edge = k == 0 || k == count - 1;
            if (!edge && r < drop) { Lost.Add(seq); continue; }
            if (!edge && r < drop + corrupt)
            {
                var copy = f.ToArray();
                int pos = _rng.Next(copy.Length - 1);
                ushort burst = (ushort)_rng.Next(1, 0x10000); // ≤ 16-bit burst: CRC-16 always detects it
                copy[pos] ^= (byte)burst;
                copy[pos + 1] ^= (byte)(burst >> 8);
                if (_rng.Next(3) == 0) s.Write(copy, 0, _rng.Next(1, copy.Length)); // or truncated
                else s.Write(copy);
                Lost.Add(seq);
                continue;
            }
            s.Write(f);
            Intact.Add(seq);
            if (!edge && r < drop + corrupt + duplicate)
            {
                s.Write(f);
                Duplicated++;
            }
        }
    }
}
