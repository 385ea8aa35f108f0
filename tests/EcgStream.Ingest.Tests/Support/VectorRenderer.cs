using System.Globalization;
using System.Text;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>
/// Renders decoded events in the shared vectors' expected-file format
/// (firmware-bridge/vectors/README.md) — the same text the C test renders.
/// </summary>
public sealed class VectorRenderer : IIngestEventSink
{
    private readonly List<string> _lines = [];
    private DeviceInfo? _info;
    private readonly StringBuilder _sb = new();

    public IReadOnlyList<string> Lines => _lines;

    public void OnEvent(in IngestEvent e)
    {
        var ic = CultureInfo.InvariantCulture;
        switch (e.Kind)
        {
            case IngestEventKind.Info:
                _info = e.Info!;
                _lines.Add(string.Create(ic, $"info,{_info.SampleRateMilliHz},{_info.GainPicovolts},{_info.Leads.Mask},{(byte)_info.Format},{_info.SamplesPerFrame},{_info.DeviceId},{_info.Firmware}"));
                break;
            case IngestEventKind.Gap:
                _lines.Add(string.Create(ic, $"gap,{e.Gap.FromSequence},{e.Gap.Frames},{e.Gap.Samples}"));
                break;
            case IngestEventKind.Restart:
                _lines.Add(string.Create(ic, $"restart,{e.Sequence}"));
                break;
            case IngestEventKind.Data:
                var b = e.Block;
                var lead = b.LeadOff.Mask;
                _sb.Clear();
                _sb.Append(ic, $"frame,{e.Sequence},{e.RawTimestampMicros},{lead},{b.StartSample}");
                double lsb = _info!.MillivoltsPerLsb;
                for (int i = 0; i < b.Length; i++)
                    for (int p = 0; p < b.Leads.Count; p++)
                        _sb.Append(',').Append(((long)Math.Round(b.Plane(p)[i] / lsb)).ToString(ic));
                _lines.Add(_sb.ToString());
                break;
        }
    }

    public void End(IngestCounters c) =>
        _lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"end,{c.DataFrames},{c.Duplicates},{c.Gaps},{c.GapFrames},{c.Restarts},{c.Unsupported},{c.NoInfo},{c.BytesSkipped}"));
}
