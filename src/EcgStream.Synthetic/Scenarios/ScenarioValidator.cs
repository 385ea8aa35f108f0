using EcgStream.Core.Leads;

namespace EcgStream.Synthetic;

/// <summary>Checks every field of a scenario; the first problem becomes a <see cref="ScenarioException"/> naming it.</summary>
internal static class ScenarioValidator
{
    public static void Validate(Scenario s, string? source)
    {
        string Where(string field) => source is null ? $"scenario: {field}" : $"scenario file {source}: {field}";

        if (!(s.SampleRate >= 100 && s.SampleRate <= 10000))
            throw new ScenarioException($"{Where("sampleRate")} = {s.SampleRate} Hz is outside 100–10000 Hz");
        if (s.Leads.IsEmpty) throw new ScenarioException($"{Where("leads")} is empty: name at least one lead");
        if (s.Segments is null || s.Segments.Count == 0)
            throw new ScenarioException($"{Where("segments")} is empty: a scenario needs at least one segment");
        ValidateNoise(s.Noise, Where);
        for (int i = 0; i < s.Segments.Count; i++) ValidateSegment(s.Segments[i], $"segments[{i}]", Where);
    }

    private static void ValidateNoise(NoiseSpec? n, Func<string, string> where)
    {
        if (n is null) throw new ScenarioException($"{where("noise")} is null");
        if (n.Snr is { } snr && !(snr >= -20 && snr <= 80))
            throw new ScenarioException($"{where("noise.snr")} = {snr} dB is outside −20…80 dB");
        Check(n.BaselineWander, "baselineWander"); Check(n.Muscle, "muscle"); Check(n.Powerline, "powerline");
        Check(n.ElectrodeMotion, "electrodeMotion"); Check(n.NstdbBaselineWander, "nstdbBaselineWander"); Check(n.NstdbMuscle, "nstdbMuscle");
        if (n.PowerlineHz is not (50 or 60))
            throw new ScenarioException($"{where("noise.powerlineHz")} = {n.PowerlineHz}: must be 50 or 60");
        if ((n.NstdbBaselineWander > 0 || n.NstdbMuscle > 0) && string.IsNullOrWhiteSpace(n.NstdbDirectory))
            throw new ScenarioException($"{where("noise.nstdbDirectory")} is missing: needed when an nstdb weight is above 0");

        void Check(double w, string name)
        {
            if (!(w >= 0 && double.IsFinite(w)))
                throw new ScenarioException($"{where("noise." + name)} = {w}: weights must be finite and ≥ 0");
        }
    }

    private static void ValidateSegment(ScenarioSegment g, string path, Func<string, string> where)
    {
        if (g is null) throw new ScenarioException($"{where(path)} is null");
        if (g.Rhythm is null || !SyntheticRhythms.TryParse(g.Rhythm, out var r))
            throw new ScenarioException($"{where(path + ".rhythm")} = \"{g.Rhythm}\" is not a rhythm: use one of {string.Join(", ", Enum.GetNames<SyntheticRhythm>())}");
        if (!(g.DurationSeconds > 0 && g.DurationSeconds <= 7 * 86400))
            throw new ScenarioException($"{where(path + ".durationSeconds")} = {g.DurationSeconds}: must be > 0 s and at most a week");
        if (g.HeartRate is { } hr)
        {
            var (lo, hi) = SyntheticRhythms.RateRange(r);
            if (hi == 0) throw new ScenarioException($"{where(path + ".heartRate")}: rhythm {r} takes no heart rate");
            if (!(hr >= lo && hr <= hi))
                throw new ScenarioException($"{where(path + ".heartRate")} = {hr} bpm is outside {lo}–{hi} bpm for {r}");
        }
        if (g.Conduction is { } c)
        {
            if (r != SyntheticRhythm.AFL) throw new ScenarioException($"{where(path + ".conduction")}: only AFL takes a conduction ratio");
            if (c is not ("2:1" or "3:1" or "4:1" or "variable"))
                throw new ScenarioException($"{where(path + ".conduction")} = \"{c}\": use \"2:1\", \"3:1\", \"4:1\" or \"variable\"");
        }
        if (g.Ectopy is { } e)
        {
            if (r is not (SyntheticRhythm.SR or SyntheticRhythm.SBRAD or SyntheticRhythm.STACH or SyntheticRhythm.SINUS_ARRHYTHMIA or SyntheticRhythm.PVC or SyntheticRhythm.PAC))
                throw new ScenarioException($"{where(path + ".ectopy")}: only sinus rhythms take an ectopy pattern");
            if (e.ToLowerInvariant() is not ("none" or "isolated" or "bigeminy" or "trigeminy" or "pac"))
                throw new ScenarioException($"{where(path + ".ectopy")} = \"{e}\": use none, isolated, bigeminy, trigeminy or pac");
            // A rhythm name that implies ectopy of one origin (PVC: ventricular, PAC: atrial) takes only that origin's, or none.
            if (SyntheticRhythms.EctopyOrigin(SyntheticRhythms.EctopyOf(r, null)) is { } implied
                && SyntheticRhythms.EctopyOrigin(e) is { } origin && origin != implied)
                throw new ScenarioException($"{where(path + ".ectopy")} = \"{e}\": rhythm {r} takes only {implied} ectopy or none");
        }
        if (g.EctopyRate is { } er && !(er >= 0 && er <= 0.5))
            throw new ScenarioException($"{where(path + ".ectopyRate")} = {er}: must be within 0–0.5");
        if (g.Snr is { } snr && !(snr >= -20 && snr <= 80))
            throw new ScenarioException($"{where(path + ".snr")} = {snr} dB is outside −20…80 dB");
        if (g.LeadOff is { } off)
        {
            for (int i = 0; i < off.Count; i++)
                if (off[i] is null || !Leads.TryParse(off[i], out _))
                    throw new ScenarioException($"{where($"{path}.leadOff[{i}]")} = \"{off[i]}\" is not a lead name (I, II, III, aVR, aVL, aVF, V1…V6)");
        }
        if (g.LeadOffMode is { } m && m.ToLowerInvariant() is not ("flat" or "rail"))
            throw new ScenarioException($"{where(path + ".leadOffMode")} = \"{m}\": use \"flat\" or \"rail\"");
        if (g.PWaves is not null && r is not (SyntheticRhythm.PAUSE or SyntheticRhythm.ASYSTOLE))
            throw new ScenarioException($"{where(path + ".pWaves")}: only PAUSE and ASYSTOLE take pWaves");
        if (g.AtrialRate is { } ar)
        {
            if (r != SyntheticRhythm.AFL) throw new ScenarioException($"{where(path + ".atrialRate")}: only AFL takes an atrial rate");
            if (!(ar >= 250 && ar <= 350)) throw new ScenarioException($"{where(path + ".atrialRate")} = {ar}/min is outside 250–350/min");
        }
    }
}
