using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using EcgStream.Training.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

/// <summary>
/// Dispose-scope discipline: each training step runs in one NewDisposeScope and only what must
/// survive it is moved out. TorchSharp counts every tensor it wraps (DisposeScopeManager
/// statistics), so a tensor that outlives its step shows as a live count that grows.
/// </summary>
public sealed class DisposeScopeTests
{
    private static long Live => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [TorchFact]
    public void Pretraining_steps_leave_no_tensor_alive()
    {
        var data = SyntheticData.Small;   // built before counting
        var options = new PretrainOptions { Steps = 6, BatchSize = 4, LearningRate = 1e-3, WarmupSteps = 1, Seed = 2, CheckpointEvery = 3 };
        // Two runs of different length: the per-run cost (model, optimiser) is the same, so any
        // difference in what is left alive would be per step.
        long before = Live;
        Pretrainer.Run(EncoderConfig.Tiny(), options with { Steps = 2 }, data, SyntheticData.TempDir());
        long afterShort = Live;
        Pretrainer.Run(EncoderConfig.Tiny(), options, data, SyntheticData.TempDir());
        long afterLong = Live;
        Assert.Equal(before, afterShort);
        Assert.Equal(before, afterLong);
    }

    [TorchFact]
    public void A_fine_tuning_step_creates_no_tensor_outside_its_scope()
    {
        manual_seed(4);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(encoder.Config.Dim, encoder.Depth, Core.Rhythms.RhythmClasses.Count);
        var options = new HeadTrainOptions { Steps = 1, BatchSize = 4, LearningRate = 1e-3, WarmupSteps = 0, Seed = 3, FreezeEncoder = false };
        HeadTrainer.Train(encoder, head, SyntheticData.Small, options);   // warm-up: lazily built state exists from here on

        var stats = DisposeScopeManager.Statistics.TensorStatistics;
        long live = Live, outside = stats.CreatedOutsideScopeCount;
        HeadTrainer.Train(encoder, head, SyntheticData.Small, options with { Steps = 4 });
        // The optimiser's moments are made outside any scope (one set per Train call) and disposed with it.
        Assert.Equal(live, Live);
        long perCall = stats.CreatedOutsideScopeCount - outside;
        HeadTrainer.Train(encoder, head, SyntheticData.Small, options with { Steps = 8 });
        Assert.Equal(live, Live);
        Assert.Equal(perCall, stats.CreatedOutsideScopeCount - outside - perCall);   // twice the steps, not one tensor more outside a scope
    }
}
