namespace EcgStream.Signal.Qrs;

/// <summary>
/// One detected QRS complex.
/// </summary>
/// <param name="Sample">Stream index (at the detector's rate) of the R peak: the largest absolute deflection of the input in the QRS.</param>
/// <param name="DetectedAt">Stream index one past the sample whose arrival produced the decision.</param>
/// <param name="Amplitude">Input value at <paramref name="Sample"/> (mV for preprocessed ECG).</param>
/// <param name="SearchBack">True when found by search-back (a lower threshold after a missed beat).</param>
/// <param name="Lead">Plane index of the lead that detected it (see <see cref="BeatDetector"/>).</param>
public readonly record struct QrsBeat(long Sample, long DetectedAt, float Amplitude, bool SearchBack, int Lead = 0);
