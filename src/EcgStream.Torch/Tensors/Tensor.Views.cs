using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        public unsafe Tensor reshape(params ReadOnlySpan<long> shape)
        {
            fixed (long* p = shape) return Wrap(NativeMethods.ecgt_reshape(Handle, p, shape.Length, out var r), r);
        }

        /// <summary>Same as <see cref="reshape"/> (libtorch decides whether a copy is needed).</summary>
        public Tensor view(params ReadOnlySpan<long> shape) => reshape(shape);

        public unsafe Tensor permute(params ReadOnlySpan<long> order)
        {
            fixed (long* p = order) return Wrap(NativeMethods.ecgt_permute(Handle, p, order.Length, out var r), r);
        }

        public Tensor transpose(long dim0, long dim1) => Wrap(NativeMethods.ecgt_transpose(Handle, dim0, dim1, out var r), r);

        /// <summary>The last two dimensions swapped.</summary>
        public Tensor mT => transpose(-2, -1);

        public Tensor narrow(long dim, long start, long length) =>
            Wrap(NativeMethods.ecgt_narrow(Handle, dim, start, length, out var r), r);

        public Tensor select(long dim, long index) => Wrap(NativeMethods.ecgt_select(Handle, dim, index, out var r), r);
        public Tensor unsqueeze(long dim) => Wrap(NativeMethods.ecgt_unsqueeze(Handle, dim, out var r), r);
        public Tensor squeeze(long dim) => Wrap(NativeMethods.ecgt_squeeze(Handle, dim, out var r), r);

        public Tensor flatten(long start_dim = 0, long end_dim = -1) =>
            Wrap(NativeMethods.ecgt_flatten(Handle, start_dim, end_dim, out var r), r);

        public unsafe Tensor expand(params ReadOnlySpan<long> shape)
        {
            fixed (long* p = shape) return Wrap(NativeMethods.ecgt_expand(Handle, p, shape.Length, out var r), r);
        }

        public Tensor index_select(long dim, Tensor index) =>
            Wrap(NativeMethods.ecgt_index_select(Handle, dim, index.Handle, out var r), r);

        public Tensor gather(long dim, Tensor index) => Wrap(NativeMethods.ecgt_gather(Handle, dim, index.Handle, out var r), r);

        /// <summary>Elements where <paramref name="mask"/> (bool, broadcast) is true become <paramref name="value"/>.</summary>
        public Tensor masked_fill(Tensor mask, double value) =>
            Wrap(NativeMethods.ecgt_masked_fill(Handle, mask.Handle, value, out var r), r);
    }

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var count = tensors.Count;
        var handles = count <= 64 ? stackalloc IntPtr[count] : new IntPtr[count];
        for (var i = 0; i < count; i++) handles[i] = tensors[i].Handle.DangerousGetHandle();
        int status;
        IntPtr result;
        fixed (IntPtr* p = handles)
            status = stack ? NativeMethods.ecgt_stack(p, count, dim, out result) : NativeMethods.ecgt_cat(p, count, dim, out result);
        GC.KeepAlive(tensors);
        return Tensor.Wrap(status, result);
    }

    /// <summary>Elementwise <paramref name="condition"/> ? <paramref name="a"/> : <paramref name="b"/>.</summary>
    public static Tensor where(Tensor condition, Tensor a, Tensor b) =>
        Tensor.Wrap(NativeMethods.ecgt_where(condition.Handle, a.Handle, b.Handle, out var r), r);
}
