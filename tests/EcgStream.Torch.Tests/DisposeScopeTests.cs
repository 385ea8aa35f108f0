using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Tests;

/// <summary>No tensor outlives its dispose scope unless moved out of it (counted as live native handles).</summary>
public sealed class DisposeScopeTests
{
    [TorchFact]
    public void A_scope_frees_every_tensor_created_in_it()
    {
        var before = LiveHandles.Settled();
        using (var scope = NewDisposeScope())
        {
            var x = randn([4, 4]);
            var y = (x.matmul(x) + 1).softmax(-1).sum(0);
            _ = y.ToArray<float>();
            Assert.True(Tensor.LiveHandleCount - before >= 5);
            Assert.Equal(Tensor.LiveHandleCount - before, scope.Count);
        }
        Assert.Equal(before, Tensor.LiveHandleCount);
    }

    [TorchFact]
    public void MoveToOuter_hands_a_result_to_the_enclosing_scope()
    {
        var before = LiveHandles.Settled();
        Tensor kept;
        using (var outer = NewDisposeScope())
        {
            using (var inner = NewDisposeScope())
            {
                var t = ones([3]) * 2;
                kept = inner.MoveToOuter(t);
            }
            Assert.Equal(before + 1, Tensor.LiveHandleCount);
            Assert.Equal([2f, 2, 2], kept.ToArray<float>());
            Assert.Equal(1, outer.Count);
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(before, Tensor.LiveHandleCount);

        // Moved out of the outermost scope, the caller owns it.
        Tensor owned;
        using (var scope = NewDisposeScope()) owned = zeros([2]).MoveToOuterDisposeScope();
        Assert.False(owned.IsDisposed);
        owned.Dispose();
        Assert.Equal(before, Tensor.LiveHandleCount);
    }

    [TorchFact]
    public void Scopes_must_close_innermost_first()
    {
        var outer = NewDisposeScope();
        var inner = NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        using var scope = NewDisposeScope();
        var t = zeros([1]);
        using var other = NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => other.MoveToOuter(t));
    }

    [TorchFact]
    public void Training_steps_leave_no_handles_behind()
    {
        manual_seed(1);
        var block = nn.TransformerBlock(8, 2);
        var head = nn.Linear(8, 1);
        var parameters = block.parameters().Concat(head.parameters()).ToList();
        using var opt = optim.AdamW(parameters, lr: 1e-3);
        var before = LiveHandles.Settled();
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn([2, 5, 8]);
            var mask = tensor(new[] { false, false, false, false, true, false, false, false, false, false }, 2, 5);
            var loss = head.forward(block.forward(x, mask)).square().mean();
            opt.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            opt.step();
            _ = parameters[0].grad;   // a gradient read is a new handle, also owned by the scope
        }
        // The optimiser's moment buffers (2 per parameter) appear on its first step and stay.
        Assert.Equal(before + 2 * parameters.Count, Tensor.LiveHandleCount);
        opt.Dispose();
        Assert.Equal(before, Tensor.LiveHandleCount);
        var moduleHandles = parameters.Count;
        var beforeModules = Tensor.LiveHandleCount;
        block.Dispose();
        head.Dispose();
        Assert.Equal(beforeModules - moduleHandles, Tensor.LiveHandleCount);
    }

    [TorchFact]
    public void Parameters_created_inside_a_scope_belong_to_their_module()
    {
        Linear layer;
        using (var scope = NewDisposeScope())
        {
            layer = nn.Linear(3, 2);
            Assert.Equal(0, scope.Count);
        }
        Assert.False(layer.weight.IsDisposed);
        Assert.Equal([2L, 3L], layer.weight.shape);
        layer.Dispose();
        Assert.True(layer.weight.IsDisposed);
    }
}
