using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>Checks every delivered sample against <see cref="FakeDevice.Value"/> and records sequences and gaps.</summary>
public sealed class CheckingSink : IIngestEventSink
{
    private DeviceInfo? _info;

    public List<uint> Sequences { get; } = [];
    public List<GapEvent> Gaps { get; } = [];
    public long SampleErrors { get; private set; }
    public long Samples { get; private set; }
    public long LastEndSample { get; private set; }
    public string? FirstError { get; private set; }

    public void OnEvent(in IngestEvent e)
    {
        switch (e.Kind)
        {
            case IngestEventKind.Info: _info = e.Info; break;
            case IngestEventKind.Gap: Gaps.Add(e.Gap); break;
            case IngestEventKind.Data:
                var b = e.Block;
                Sequences.Add(e.Sequence);
                double lsb = _info!.MillivoltsPerLsb;
                for (int p = 0; p < b.Leads.Count; p++)
                {
                    var plane = b.Plane(p);
                    for (int i = 0; i < b.Length; i++)
                    {
                        Samples++;
                        long got = (long)Math.Round(plane[i] / lsb), want = FakeDevice.Value(e.Sequence, i, p);
                        if (got != want)
                        {
                            SampleErrors++;
                            FirstError ??= $"seq {e.Sequence} sample {i} lead plane {p}: {got} != {want}";
                        }
                    }
                }
                LastEndSample = b.EndSample;
                break;
        }
    }
}
