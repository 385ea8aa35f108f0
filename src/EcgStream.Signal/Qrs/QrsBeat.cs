namespace EcgStream.Signal.Qrs;

/// <summary>
/// One detected QRS complex.
/// </summary>
/// <param name="Sample">Stream index (at the detector's rate) of the R peak: the largest absolute deflection of the input in the QRS.</param>
/// <param name="DetectedAt">Stream index one past the sample whose arrival produced the decision.</param>
/// <param name="Amplitude">Input value at <paramref name="Sample"/> (mV for preprocessed ECG).</param>
/// <param name="SearchBack">True when found by search-back (a lower threshold after a missed beat).</param>
/// <param name="Lead">Plane index of the lead that detected it (see <see cref="BeatDetector"/>).</param>
/// <param name="Shape">Correlation of its QRS with the lead's dominant QRS shape (<see cref="QrsShapes"/>): near 1 for a
/// beat conducted like most, low for a PVC or fusion beat; NaN while no dominant shape is established.</param>
public readonly record struct QrsBeat(long Sample, long DetectedAt, float Amplitude, bool SearchBack, int Lead = 0, float Shape = float.NaN);
