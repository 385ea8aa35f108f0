using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        private Tensor Unary(UnaryOp op) => Wrap(NativeMethods.ecgt_unary(op, Handle, out var r), r);
        private Tensor Binary(BinaryOp op, Tensor other) => Wrap(NativeMethods.ecgt_binary(op, Handle, other.Handle, out var r), r);
        private Tensor Binary(BinaryOp op, double scalar, bool reversed = false) =>
            Wrap(NativeMethods.ecgt_binary_scalar(op, Handle, scalar, reversed ? 1 : 0, out var r), r);

        // ---- elementwise ----
        public Tensor neg() => Unary(UnaryOp.Neg);
        public Tensor exp() => Unary(UnaryOp.Exp);
        public Tensor log() => Unary(UnaryOp.Log);
        public Tensor sqrt() => Unary(UnaryOp.Sqrt);
        public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
        public Tensor abs() => Unary(UnaryOp.Abs);
        public Tensor tanh() => Unary(UnaryOp.Tanh);
        public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
        public Tensor relu() => Unary(UnaryOp.Relu);
        public Tensor sin() => Unary(UnaryOp.Sin);
        public Tensor cos() => Unary(UnaryOp.Cos);
        public Tensor square() => Unary(UnaryOp.Square);
        public Tensor reciprocal() => Unary(UnaryOp.Reciprocal);
        public Tensor log1p() => Unary(UnaryOp.Log1p);
        public Tensor logical_not() => Unary(UnaryOp.LogicalNot);

        public Tensor add(Tensor other) => Binary(BinaryOp.Add, other);
        public Tensor add(double other) => Binary(BinaryOp.Add, other);
        public Tensor sub(Tensor other) => Binary(BinaryOp.Sub, other);
        public Tensor sub(double other) => Binary(BinaryOp.Sub, other);
        public Tensor mul(Tensor other) => Binary(BinaryOp.Mul, other);
        public Tensor mul(double other) => Binary(BinaryOp.Mul, other);
        public Tensor div(Tensor other) => Binary(BinaryOp.Div, other);
        public Tensor div(double other) => Binary(BinaryOp.Div, other);
        public Tensor pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
        public Tensor pow(double exponent) => Binary(BinaryOp.Pow, exponent);
        public Tensor maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
        public Tensor minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
        /// <summary>Python-style modulus (the result has the divisor's sign).</summary>
        public Tensor remainder(Tensor other) => Binary(BinaryOp.Remainder, other);
        public Tensor remainder(double other) => Binary(BinaryOp.Remainder, other);
        public Tensor clamp(double min, double max) => Wrap(NativeMethods.ecgt_clamp(Handle, min, max, out var r), r);

        // ---- comparisons (bool results) ----
        public Tensor eq(Tensor other) => Binary(BinaryOp.Eq, other);
        public Tensor eq(double other) => Binary(BinaryOp.Eq, other);
        public Tensor ne(Tensor other) => Binary(BinaryOp.Ne, other);
        public Tensor ne(double other) => Binary(BinaryOp.Ne, other);
        public Tensor lt(Tensor other) => Binary(BinaryOp.Lt, other);
        public Tensor lt(double other) => Binary(BinaryOp.Lt, other);
        public Tensor le(Tensor other) => Binary(BinaryOp.Le, other);
        public Tensor le(double other) => Binary(BinaryOp.Le, other);
        public Tensor gt(Tensor other) => Binary(BinaryOp.Gt, other);
        public Tensor gt(double other) => Binary(BinaryOp.Gt, other);
        public Tensor ge(Tensor other) => Binary(BinaryOp.Ge, other);
        public Tensor ge(double other) => Binary(BinaryOp.Ge, other);
        public Tensor logical_and(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
        public Tensor logical_or(Tensor other) => Binary(BinaryOp.LogicalOr, other);

        /// <summary>True when every element is within atol + rtol·|other| of <paramref name="other"/>.</summary>
        public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
        {
            NativeStatus.Check(NativeMethods.ecgt_allclose(Handle, other.Handle, rtol, atol, out var r));
            return r != 0;
        }

        // ---- in place ----
        public Tensor add_(Tensor other, double alpha = 1) { NativeStatus.Check(NativeMethods.ecgt_binary_(BinaryOp.Add, Handle, other.Handle, alpha)); return this; }
        public Tensor sub_(Tensor other, double alpha = 1) { NativeStatus.Check(NativeMethods.ecgt_binary_(BinaryOp.Sub, Handle, other.Handle, alpha)); return this; }
        public Tensor mul_(Tensor other) { NativeStatus.Check(NativeMethods.ecgt_binary_(BinaryOp.Mul, Handle, other.Handle, 1)); return this; }
        public Tensor div_(Tensor other) { NativeStatus.Check(NativeMethods.ecgt_binary_(BinaryOp.Div, Handle, other.Handle, 1)); return this; }
        public Tensor add_(double other) { NativeStatus.Check(NativeMethods.ecgt_binary_scalar_(BinaryOp.Add, Handle, other)); return this; }
        public Tensor sub_(double other) { NativeStatus.Check(NativeMethods.ecgt_binary_scalar_(BinaryOp.Sub, Handle, other)); return this; }
        public Tensor mul_(double other) { NativeStatus.Check(NativeMethods.ecgt_binary_scalar_(BinaryOp.Mul, Handle, other)); return this; }
        public Tensor div_(double other) { NativeStatus.Check(NativeMethods.ecgt_binary_scalar_(BinaryOp.Div, Handle, other)); return this; }
        public Tensor zero_() => mul_(0.0);

        // ---- reductions (no dims: over all elements) ----
        private unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepdim)
        {
            fixed (long* p = dims) return Wrap(NativeMethods.ecgt_reduce(op, Handle, p, dims.Length, keepdim ? 1 : 0, out var r), r);
        }

        public Tensor sum() => Reduce(ReduceOp.Sum, default, false);
        public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, [dim], keepdim);
        public Tensor sum(ReadOnlySpan<long> dims, bool keepdim = false) => Reduce(ReduceOp.Sum, dims, keepdim);
        public Tensor mean() => Reduce(ReduceOp.Mean, default, false);
        public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, [dim], keepdim);
        public Tensor mean(ReadOnlySpan<long> dims, bool keepdim = false) => Reduce(ReduceOp.Mean, dims, keepdim);
        public Tensor amax() => Reduce(ReduceOp.Amax, default, false);
        public Tensor amax(long dim, bool keepdim = false) => Reduce(ReduceOp.Amax, [dim], keepdim);
        public Tensor amin() => Reduce(ReduceOp.Amin, default, false);
        public Tensor amin(long dim, bool keepdim = false) => Reduce(ReduceOp.Amin, [dim], keepdim);
        /// <summary>Unbiased variance.</summary>
        public Tensor var() => Reduce(ReduceOp.Var, default, false);
        public Tensor var(long dim, bool keepdim = false) => Reduce(ReduceOp.Var, [dim], keepdim);
        /// <summary>Unbiased standard deviation.</summary>
        public Tensor std() => Reduce(ReduceOp.Std, default, false);
        public Tensor std(long dim, bool keepdim = false) => Reduce(ReduceOp.Std, [dim], keepdim);
        /// <summary>Euclidean norm.</summary>
        public Tensor norm() => Reduce(ReduceOp.Norm2, default, false);
        public Tensor norm(long dim, bool keepdim = false) => Reduce(ReduceOp.Norm2, [dim], keepdim);

        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
        {
            NativeStatus.Check(NativeMethods.ecgt_max_dim(Handle, dim, keepdim ? 1 : 0, out var v, out var i));
            return (new Tensor(v), new Tensor(i));
        }

        public Tensor argmax(long dim, bool keepdim = false) => Wrap(NativeMethods.ecgt_argmax(Handle, dim, keepdim ? 1 : 0, out var r), r);

        public Tensor argsort(long dim = -1, bool descending = false) =>
            Wrap(NativeMethods.ecgt_argsort(Handle, dim, descending ? 1 : 0, out var r), r);

        // ---- products ----
        public Tensor matmul(Tensor other) => Wrap(NativeMethods.ecgt_matmul(Handle, other.Handle, out var r), r);
        public Tensor bmm(Tensor other) => Wrap(NativeMethods.ecgt_bmm(Handle, other.Handle, out var r), r);

        public Tensor softmax(long dim) => Wrap(NativeMethods.ecgt_softmax(Handle, dim, out var r), r);
        public Tensor log_softmax(long dim) => Wrap(NativeMethods.ecgt_log_softmax(Handle, dim, out var r), r);

        // ---- operators ----
        public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
        public static Tensor operator +(Tensor a, double b) => a.add(b);
        public static Tensor operator +(double a, Tensor b) => b.add(a);
        public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
        public static Tensor operator -(Tensor a, double b) => a.sub(b);
        public static Tensor operator -(double a, Tensor b) => b.Binary(BinaryOp.Sub, a, reversed: true);
        public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
        public static Tensor operator *(Tensor a, double b) => a.mul(b);
        public static Tensor operator *(double a, Tensor b) => b.mul(a);
        public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
        public static Tensor operator /(Tensor a, double b) => a.div(b);
        public static Tensor operator /(double a, Tensor b) => b.Binary(BinaryOp.Div, a, reversed: true);
        public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
        public static Tensor operator %(Tensor a, double b) => a.remainder(b);
        public static Tensor operator -(Tensor a) => a.neg();
    }

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor exp(Tensor t) => t.exp();
    public static Tensor log(Tensor t) => t.log();
    public static Tensor sqrt(Tensor t) => t.sqrt();
    public static Tensor tanh(Tensor t) => t.tanh();
    public static Tensor sigmoid(Tensor t) => t.sigmoid();
    public static Tensor argsort(Tensor t, long dim = -1, bool descending = false) => t.argsort(dim, descending);
}
