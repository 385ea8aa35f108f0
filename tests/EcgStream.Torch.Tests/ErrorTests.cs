using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Tests;

/// <summary>Bad input raises an exception carrying libtorch's message; nothing crashes and the library keeps working.</summary>
public sealed class ErrorTests
{
    [TorchFact]
    public void Shape_mismatch_raises_libtorchs_message()
    {
        using var scope = NewDisposeScope();
        var a = zeros([2, 3]);
        var b = zeros([2, 3]);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)", e.Message);
        Assert.DoesNotContain("Exception raised from", e.Message);   // no C++ backtrace
        var add = Assert.Throws<TorchException>(() => zeros([2, 3]) + zeros([4]));
        Assert.Contains("must match the size of tensor b (4)", add.Message);
        Assert.Throws<TorchException>(() => a.reshape(4, 2));
        // The library is fine afterwards.
        Assert.Equal([2L, 2L], a.matmul(b.transpose(0, 1)).shape);
    }

    [TorchFact]
    public void Wrong_dtype_raises_libtorchs_message()
    {
        using var scope = NewDisposeScope();
        var x = zeros([2, 3]);
        var e = Assert.Throws<TorchException>(() => x.index_select(1, tensor(new[] { 0f, 1f })));
        Assert.Contains("index_select(): Expected dtype int32 or int64 for index", e.Message);
        var ce = Assert.Throws<TorchException>(() => nn.functional.cross_entropy(x, tensor(new[] { 0.5f, 1f })));
        Assert.Contains("expected scalar type Long but found Float", ce.Message);
        var mm = Assert.Throws<TorchException>(() => zeros([2, 2]).matmul(zeros([2, 2], ScalarType.Float64)));
        Assert.Contains("expected scalar type Float but found Double", mm.Message);
    }

    [TorchFact]
    public void Use_after_dispose_raises_ObjectDisposedException()
    {
        var t = ones([3]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.sum());
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => _ = t.shape);
        using var other = ones([3]);
        Assert.Throws<ObjectDisposedException>(() => other + t);
        Assert.Throws<ObjectDisposedException>(() => cat([other, t]));
        t.Dispose();   // a second dispose is harmless
        Assert.Equal("Tensor (disposed)", t.ToString());
    }

    [TorchFact]
    public void Managed_side_checks_name_the_problem()
    {
        using var scope = NewDisposeScope();
        var shape = Assert.Throws<ArgumentException>(() => tensor(new float[5], 2, 3));
        Assert.Contains("shape [2, 3] holds 6 elements, data has 5", shape.Message);
        var type = Assert.Throws<ArgumentException>(() => zeros([2]).ToArray<double>());
        Assert.Contains("tensor holds Float32", type.Message);
        var length = Assert.Throws<TorchException>(() => zeros([2]).CopyTo<float>(new float[3]));
        Assert.Contains("destination holds 12 bytes, tensor needs 8", length.Message);
        Assert.Throws<TorchException>(() => set_num_threads(0));
        var backward = Assert.Throws<TorchException>(() => zeros([2]).sum().backward());
        Assert.Contains("does not require grad", backward.Message);
    }

    [TorchFact]
    public void Errors_raised_on_other_threads_stay_on_those_threads()
    {
        // The message buffer is thread-local: concurrent failures never swap messages.
        var messages = new string[4];
        Parallel.For(0, messages.Length, i =>
        {
            using var scope = NewDisposeScope();
            var e = Assert.Throws<TorchException>(() => zeros([i + 1, 5]).matmul(zeros([i + 1, 5])));
            messages[i] = e.Message;
        });
        for (var i = 0; i < messages.Length; i++)
            Assert.Contains($"({i + 1}x5 and {i + 1}x5)", messages[i]);
    }
}
