using EcgStream.Core.Rhythms;

namespace EcgStream.Cli.Commands.Benchmark;

/// <summary>
/// The PhysioNet/CinC Challenge 2017 scoring (Clifford et al., CinC 2017): each record is one of N (normal sinus
/// rhythm), A (AF), O (other rhythm), ~ (too noisy). Per class, F1 = 2·(records of the class called it) ÷ (records of
/// the class + records called it); the challenge's overall score is the mean of F1n, F1a and F1o (F1~ is reported,
/// not averaged).
/// </summary>
public sealed class Cinc2017Score
{
    public const string Labels = "NAO~";

    /// <summary>
    /// A record's N/A/O/~ from its classify decision (the classes whose record-level probability reached the
    /// model's threshold): AF or AFL → A (the challenge's A is AF; flutter is an atrial arrhythmia of the same
    /// alarm); else NOISE → ~; else SR and nothing else → N; anything else → O: a tachycardia, bradycardia or
    /// ectopy, and also a record where no class reached its threshold. N is <em>normal sinus rhythm</em>, which the
    /// model must affirm; a record it does not call sinus rhythm, AF or noise is some other rhythm (on held-out
    /// records, reading "nothing decided" as N put 286 of 331 "O" records in N).
    /// </summary>
    public static char Label(IReadOnlyCollection<RhythmClass> decided)
    {
        if (decided.Contains(RhythmClass.AF) || decided.Contains(RhythmClass.AFL)) return 'A';
        if (decided.Contains(RhythmClass.NOISE)) return '~';
        if (decided.Count > 0 && decided.All(c => c == RhythmClass.SR)) return 'N';
        return 'O';
    }

    private readonly long[,] _confusion = new long[4, 4];   // [reference, decision]

    public static int Index(char label) => Labels.IndexOf(label) is var i and >= 0 ? i : throw new ArgumentException($"'{label}' is not a CinC 2017 label (N, A, O, ~)");

    public void Add(char reference, char decision) => _confusion[Index(reference), Index(decision)]++;

    public long Count(char reference, char decision) => _confusion[Index(reference), Index(decision)];

    public long Records { get { long n = 0; foreach (var c in _confusion) n += c; return n; } }

    /// <summary>F1 of one label: 2·N_xx / (Σ_j N_xj + Σ_i N_ix); NaN when the label is neither in the reference nor decided.</summary>
    public double F1(char label)
    {
        int x = Index(label);
        long rowSum = 0, colSum = 0;
        for (int j = 0; j < 4; j++) { rowSum += _confusion[x, j]; colSum += _confusion[j, x]; }
        return rowSum + colSum == 0 ? double.NaN : 2.0 * _confusion[x, x] / (rowSum + colSum);
    }

    /// <summary>The challenge score: (F1n + F1a + F1o) / 3.</summary>
    public double Overall => (F1('N') + F1('A') + F1('O')) / 3;
}
