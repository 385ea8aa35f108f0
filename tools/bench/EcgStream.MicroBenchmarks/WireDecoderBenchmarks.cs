using BenchmarkDotNet.Attributes;
using EcgStream.Ingest.Wire;

namespace EcgStream.MicroBenchmarks;

/// <summary>Decoding one second of a 12-lead 500 Hz device stream (50 DATA frames of 10 samples) from pushed bytes.</summary>
[MemoryDiagnoser]
public class WireDecoderBenchmarks : IIngestEventSink
{
    private byte[] _second = null!;
    private WireDecoder _decoder = null!;
    private long _samples;

    [GlobalSetup]
    public void Setup()
    {
        var info = new DeviceInfo { SampleRateMilliHz = 500_000, GainPicovolts = 1_000_000, Leads = EcgStream.Core.Leads.LeadSet.All, Format = SampleFormat.Int16, SamplesPerFrame = 10 };
        var buffer = new byte[64 * 1024];
        int written = WireEncoder.EncodeInfo(info, buffer);
        var samples = new int[12 * 10];
        for (int f = 0; f < 50; f++)
        {
            for (int i = 0; i < samples.Length; i++) samples[i] = (i * 37 + f * 11) % 2000 - 1000;
            written += WireEncoder.EncodeData(info, (uint)f, (uint)(f * 20_000), 0, samples, buffer.AsSpan(written));
        }
        _second = buffer[..written];
        _decoder = new WireDecoder(new WireDecoderOptions("bench"));
    }

    [Benchmark]
    public long OneSecond()
    {
        _decoder = new WireDecoder(new WireDecoderOptions("bench"));
        _decoder.Push(_second, this);
        return _samples;
    }

    public void OnEvent(in IngestEvent e) { if (e.Kind == IngestEventKind.Data) _samples += e.Block.Length; }
}
