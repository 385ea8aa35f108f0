using EcgStream.Core.Rhythms;

namespace EcgStream.Runtime.Fusion;

public enum FusionInputKind : byte { Rule, Model, ModelEnd }

/// <summary>
/// One element of the fusion stage's merged input: a rule decision, a model window's scores, or the end of the
/// model's scores (after which rule decisions need wait for nothing). Like <see cref="WindowScores"/>, valid only
/// during the OnNext that carries it.
/// </summary>
public readonly struct FusionInput
{
    private FusionInput(FusionInputKind kind, WindowScores scores) => (Kind, Scores) = (kind, scores);

    public FusionInputKind Kind { get; }
    public WindowScores Scores { get; }

    public static FusionInput Rule(in WindowScores s) => new(FusionInputKind.Rule, s);
    public static FusionInput Model(in WindowScores s) => new(FusionInputKind.Model, s);
    public static FusionInput ModelEnd { get; } = new(FusionInputKind.ModelEnd, default);
}
