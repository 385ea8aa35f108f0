using System.Globalization;

namespace EcgStream.Cli.Commands;

/// <summary>
/// Upper bounds every command applies to options that size threads or buffers: a value past them is a typo, and
/// taking it would start thousands of threads or pin gigabytes before the first record is read.
/// </summary>
internal static class CliLimits
{
    /// <summary>Most intra-op threads (ONNX Runtime or libtorch) a command starts: more than any machine we run on has cores.</summary>
    public const int MaxThreads = 256;

    /// <summary>
    /// Most windows per model run. The model's input buffers (max-batch × 12 leads × 2250 samples, float32) are allocated
    /// and pinned up front: 1024 windows are 110 MB; 70 000 were 7.5 GB, and int.MaxValue overflowed the size.
    /// </summary>
    public const int MaxBatch = 1024;

    /// <summary>The value, or an error "OPTION N: expected 1..256".</summary>
    public static int Threads(int value, string option = "--threads") => InRange(value, 1, MaxThreads, option);

    /// <summary>The value, or an error "OPTION N: expected 1..1024".</summary>
    public static int Batch(int value, string option) => InRange(value, 1, MaxBatch, option);

    public static int InRange(int value, int min, int max, string option) =>
        value >= min && value <= max ? value
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option} {value}: expected {min}..{max}"));
}
