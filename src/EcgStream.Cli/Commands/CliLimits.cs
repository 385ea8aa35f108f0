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

    /// <summary>
    /// Most beds `bench beds` plays in one process. Each live 12-lead bed holds about half a megabyte of pipeline state
    /// (10 000 beds ≈ 5 GB) and one task; 10 000 is 50 cores' worth at the 200 beds per core the design asks for, while
    /// 100 000 000 allocated until the machine died.
    /// </summary>
    public const int MaxBeds = 10_000;

    /// <summary>Most simulated devices `bench daemon` starts: each is a 12-lead device with its own loopback TCP port and a daemon bed.</summary>
    public const int MaxDaemonBeds = 1_000;

    /// <summary>
    /// Most folds `benchmark folds` writes. Leave-one-patient-out over the annotated datasets (MIT-BIH's 47 patients,
    /// CPSC 2021's 105) fits; every fold is a model to train, so more than 200 is a typo rather than a plan.
    /// </summary>
    public const int MaxFolds = 200;

    /// <summary>The value, or an error "OPTION N: expected 1..256".</summary>
    public static int Threads(int value, string option = "--threads") => InRange(value, 1, MaxThreads, option);

    /// <summary>The value, or an error "OPTION N: expected 1..1024".</summary>
    public static int Batch(int value, string option) => InRange(value, 1, MaxBatch, option);

    /// <summary>The value, or an error "--beds N: expected 1..10000" (<paramref name="max"/>: <see cref="MaxBeds"/> or <see cref="MaxDaemonBeds"/>).</summary>
    public static int Beds(int value, int max = MaxBeds) => InRange(value, 1, max, "--beds");

    /// <summary>The value, or an error "--folds N: expected 2..200".</summary>
    public static int Folds(int value) => InRange(value, 2, MaxFolds, "--folds");

    public static int InRange(int value, int min, int max, string option) =>
        value >= min && value <= max ? value
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option} {value}: expected {min}..{max}"));
}
