using System.Runtime.InteropServices;

namespace EcgStream.Torch.Native;

/// <summary>
/// The entry points of libecgtorch (native/include/ecgtorch.h), in the header's order. Every
/// <c>int</c>-returning function returns 0 or -1; callers pass the result to
/// <see cref="NativeStatus.Check"/>. Input tensors are <see cref="TensorHandle"/>s, so the
/// marshaller keeps them alive (and refuses closed ones) for the duration of the call.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "ecgtorch";

    // ---- library ----
    [LibraryImport(Library)] internal static partial IntPtr ecgt_last_error();
    [LibraryImport(Library)] internal static partial IntPtr ecgt_torch_version();
    [LibraryImport(Library)] internal static partial int ecgt_set_num_threads(int threads);
    [LibraryImport(Library)] internal static partial int ecgt_get_num_threads();

    // ---- tensors ----
    [LibraryImport(Library)] internal static partial void ecgt_free(IntPtr t);
    [LibraryImport(Library)] internal static partial int ecgt_from_data(void* data, long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_copy_to(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Library)] internal static partial int ecgt_dtype(TensorHandle t, out int result);
    [LibraryImport(Library)] internal static partial int ecgt_ndim(TensorHandle t, out int result);
    [LibraryImport(Library)] internal static partial int ecgt_shape(TensorHandle t, long* shape, int capacity);
    [LibraryImport(Library)] internal static partial int ecgt_numel(TensorHandle t, out long result);
    [LibraryImport(Library)] internal static partial int ecgt_item(TensorHandle t, out double result);
    [LibraryImport(Library)] internal static partial int ecgt_to_dtype(TensorHandle t, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_clone(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_contiguous(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_is_contiguous(TensorHandle t, out int result);
    [LibraryImport(Library)] internal static partial int ecgt_alias(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_zeros(long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_ones(long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_full(long* shape, int ndim, double value, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_arange(double start, double end, double step, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_zeros_like(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_copy_(TensorHandle dst, TensorHandle src);
    [LibraryImport(Library)] internal static partial int ecgt_set_data(TensorHandle t, TensorHandle data);

    // ---- views and indexing ----
    [LibraryImport(Library)] internal static partial int ecgt_reshape(TensorHandle t, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_permute(TensorHandle t, long* order, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_transpose(TensorHandle t, long dim0, long dim1, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_narrow(TensorHandle t, long dim, long start, long length, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_select(TensorHandle t, long dim, long index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_unsqueeze(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_squeeze(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_flatten(TensorHandle t, long startDim, long endDim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_expand(TensorHandle t, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_index_select(TensorHandle t, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_gather(TensorHandle t, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_cat(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_stack(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_masked_fill(TensorHandle t, TensorHandle mask, double value, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_where(TensorHandle condition, TensorHandle a, TensorHandle b, out IntPtr result);

    // ---- arithmetic, comparisons, reductions, products ----
    [LibraryImport(Library)] internal static partial int ecgt_unary(UnaryOp op, TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_binary(BinaryOp op, TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_binary_scalar(BinaryOp op, TensorHandle a, double scalar, int reversed, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_binary_(BinaryOp op, TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Library)] internal static partial int ecgt_binary_scalar_(BinaryOp op, TensorHandle a, double scalar);
    [LibraryImport(Library)] internal static partial int ecgt_reduce(ReduceOp op, TensorHandle t, long* dims, int ndims, int keepdim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_max_dim(TensorHandle t, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Library)] internal static partial int ecgt_argmax(TensorHandle t, long dim, int keepdim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_clamp(TensorHandle t, double min, double max, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_matmul(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_bmm(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_linear(TensorHandle x, TensorHandle weight, IntPtr bias, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, out int result);

    // ---- neural-network functions and losses ----
    [LibraryImport(Library)] internal static partial int ecgt_softmax(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_log_softmax(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_layer_norm(TensorHandle x, int normalizedNdim, IntPtr weight, IntPtr bias, double eps, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_gelu(TensorHandle x, int approximate, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_dropout(TensorHandle x, double p, int train, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_embedding(TensorHandle weight, TensorHandle indices, long paddingIdx, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_conv1d(TensorHandle x, TensorHandle weight, IntPtr bias, long stride, long padding, long dilation, long groups, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_mse_loss(TensorHandle input, TensorHandle target, int reduction, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_cross_entropy(TensorHandle logits, TensorHandle target, IntPtr weight, int reduction, long ignoreIndex, double labelSmoothing, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_bce_with_logits(TensorHandle logits, TensorHandle target, IntPtr weight, IntPtr posWeight, int reduction, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_kl_div(TensorHandle input, TensorHandle target, int reduction, int logTarget, out IntPtr result);

    // ---- autograd ----
    [LibraryImport(Library)] internal static partial int ecgt_requires_grad_(TensorHandle t, int requiresGrad);
    [LibraryImport(Library)] internal static partial int ecgt_requires_grad(TensorHandle t, out int result);
    [LibraryImport(Library)] internal static partial int ecgt_backward(TensorHandle t, IntPtr grad, int retainGraph);
    [LibraryImport(Library)] internal static partial int ecgt_grad(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_detach(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_set_grad_enabled(int enabled);
    [LibraryImport(Library)] internal static partial int ecgt_is_grad_enabled();

    // ---- random numbers ----
    [LibraryImport(Library)] internal static partial int ecgt_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial int ecgt_rand(long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_randn(long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_randint(long low, long high, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_randperm(long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_argsort(TensorHandle t, long dim, int descending, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ecgt_uniform_(TensorHandle t, double low, double high);
    [LibraryImport(Library)] internal static partial int ecgt_normal_(TensorHandle t, double mean, double std);

    // ---- optimisers ----
    [LibraryImport(Library)] internal static partial int ecgt_zero_grad(IntPtr* parameters, int count, int setToNone);
    [LibraryImport(Library)] internal static partial int ecgt_adamw_step(IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, int count, long step, double lr, double beta1, double beta2, double eps, double weightDecay);
    [LibraryImport(Library)] internal static partial int ecgt_sgd_step(IntPtr* parameters, IntPtr* momentumBuffers, byte* started, int count, double lr, double momentum, double dampening, double weightDecay, int nesterov);
    [LibraryImport(Library)] internal static partial int ecgt_clip_grad_norm(IntPtr* parameters, int count, double maxNorm, out double totalNorm);
}

/// <summary>ecgt_unary_op.</summary>
internal enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Rsqrt, Abs, Tanh, Sigmoid, Relu, Sin, Cos, Square, Reciprocal, Log1p, LogicalNot,
}

/// <summary>ecgt_binary_op.</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder,
}

/// <summary>ecgt_reduce_op.</summary>
internal enum ReduceOp
{
    Sum, Mean, Amax, Amin, Var, Std, Norm2,
}
