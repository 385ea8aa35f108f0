using EcgStream.Inference.Contract;
using EcgStream.Inference.Tests.Support;
using EcgStream.Onnx.Contract;

namespace EcgStream.Inference.Tests;

[CollectionDefinition("process memory", DisableParallelization = true)]
public class ProcessMemoryCollection;

/// <summary>Steady-state runs allocate nothing managed and leak nothing native (RSS stays flat).</summary>
[Collection("process memory")]
public class MemoryTests
{
    private static long ResidentBytes()
    {
        // /proc/self/statm: size resident shared text lib data dt, in pages.
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }

    [Fact]
    public void RhythmModel_runs_allocate_no_managed_memory()
    {
        using var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 4 });
        for (int slot = 0; slot < 4; slot++)
        {
            Windows.Regular(60 + 20 * slot, seed: slot).CopyTo(model.Ecg(slot));
            model.LeadMask(slot).Fill(1f);
        }
        model.Run(1);
        model.Run(4);   // first use of each batch size creates its OrtValues

        long before = GC.GetAllocatedBytesForCurrentThread();
        float sink = 0;
        for (int i = 0; i < 1000; i++)
        {
            model.Run(i % 2 == 0 ? 1 : 4);
            sink += model.Probabilities(0)[0];
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.False(float.IsNaN(sink));
    }

    [Fact]
    public void Session_runs_allocate_no_managed_memory()
    {
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes());
        using var x = OrtTensor.FromData(Reference.Random(8, seed: 1), [2, 4]);
        using var y = OrtTensor.Create([2, 3]);
        var inputs = new[] { x };
        var outputs = new[] { y };
        session.Run(inputs, outputs);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) session.Run(inputs, outputs);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Twenty_thousand_runs_of_one_session_keep_resident_memory_flat()
    {
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes());
        using var x = OrtTensor.FromData(Reference.Random(32, seed: 2), [8, 4]);
        using var y = OrtTensor.Create([8, 3]);
        var inputs = new[] { x };
        var outputs = new[] { y };
        for (int i = 0; i < 2000; i++) session.Run(inputs, outputs);   // warm-up: arenas, thread pools, JIT
        long before = ResidentBytes();

        for (int i = 0; i < 20_000; i++) session.Run(inputs, outputs);

        long growth = ResidentBytes() - before;
        Assert.True(growth < 2 * 1024 * 1024, $"resident memory grew by {growth / 1024} KiB over 20,000 runs");
    }

    [Fact]
    public void Every_ORT_object_created_for_sessions_and_tensors_is_released()
    {
        var bytes = SmallModels.Linear().ToBytes();
        static long Live() => InferenceSession.Live + OrtTensor.Live + TensorBinding.Live;
        using (InferenceSession.Load(bytes)) { }   // the process-wide environment stays
        long baseline = Live();

        for (int s = 0; s < 50; s++)
        {
            using var session = InferenceSession.Load(bytes, new InferenceOptions { Providers = InferenceOptions.GpuFirst });
            for (int t = 0; t < 20; t++)
            {
                using var x = OrtTensor.Create([16, 4]);
                using var y = OrtTensor.Create([16, 3]);
                session.Run([x], [y]);
            }
        }
        using (var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 3 }))
        {
            model.Run(1);
            model.Run(3);
            Assert.True(Live() > baseline);
        }

        Assert.Equal(baseline, Live());
    }
}
