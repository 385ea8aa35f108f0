using System.Diagnostics.CodeAnalysis;

namespace EcgStream.Ingest.Wire;

/// <summary>Exceptions are built here so the hot paths that may throw stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void InvalidInfo(string why) => throw new ArgumentException($"invalid device info: {why}");

    [DoesNotReturn]
    public static void DestinationTooSmall(int have, int need) =>
        throw new ArgumentException($"destination holds {have} bytes, the frame needs {need}");

    [DoesNotReturn]
    public static void SampleCount(int have, int need) =>
        throw new ArgumentException($"{have} samples given, a frame of this device holds {need} (samples per frame × leads)");

    [DoesNotReturn]
    public static void SampleOutOfRange(int index, int value, SampleFormat format) =>
        throw new ArgumentOutOfRangeException("samples", value, $"sample {index} = {value} does not fit {format}");

    [DoesNotReturn]
    public static void LeadOff(ushort leadOff) =>
        throw new ArgumentOutOfRangeException(nameof(leadOff), leadOff, $"lead-off mask 0x{leadOff:X4} has bits above 11");
}
