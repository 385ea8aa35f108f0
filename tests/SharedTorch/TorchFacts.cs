using EcgStream.Training;
using TorchSharp;

namespace EcgStream.Tests;

/// <summary>A fact that needs libtorch (TorchSharp's native libraries); skipped with the loader's reason when they do not load.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (!TorchState.Available) Skip = TorchState.Reason;
    }
}

/// <summary>A theory that needs libtorch.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    public TorchTheoryAttribute()
    {
        if (!TorchState.Available) Skip = TorchState.Reason;
    }
}

/// <summary>A fact that needs libtorch and ../shared/data/&lt;subfolder&gt;.</summary>
public sealed class TorchDataFactAttribute : FactAttribute
{
    public TorchDataFactAttribute(string subfolder)
    {
        if (!TorchState.Available) Skip = TorchState.Reason;
        else if (!TestData.Has(subfolder)) Skip = TestData.SkipReason(subfolder);
    }
}

/// <summary>Whether libtorch loads (once per test process; one libtorch thread, so results do not depend on the machine).</summary>
public static class TorchState
{
    private static readonly Lazy<(bool ok, string reason)> s_state = new(() =>
    {
        var ok = TorchRuntime.TryInitialize(out var reason);
        if (ok) torch.set_num_threads(1);
        return (ok, reason);
    });

    public static bool Available => s_state.Value.ok;
    public static string Reason => s_state.Value.reason;
}
