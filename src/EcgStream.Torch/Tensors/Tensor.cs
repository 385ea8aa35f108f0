using System.Runtime.InteropServices;
using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    /// <summary>
    /// A libtorch tensor. Each instance owns one native handle that <see cref="Dispose"/> frees;
    /// a tensor created while a <see cref="DisposeScope"/> is open belongs to that scope.
    /// Operations return new tensors (views share storage, as in torch); methods ending in
    /// <c>_</c> modify in place.
    /// </summary>
    public partial class Tensor : IDisposable
    {
        private TensorHandle? _handle;

        internal Tensor(IntPtr native)
        {
            _handle = new TensorHandle(native);
            DisposeScope.Current?.Add(this);
        }

        /// <summary>Takes over <paramref name="source"/>'s native handle; <paramref name="source"/> is left disposed.</summary>
        private protected Tensor(Tensor source, bool registerInScope)
        {
            ArgumentNullException.ThrowIfNull(source);
            _handle = source.Handle;
            source.OwningScope?.Remove(source);
            source._handle = null;
            if (registerInScope) DisposeScope.Current?.Add(this);
        }

        /// <summary>The scope that will dispose this tensor, if any.</summary>
        internal DisposeScope? OwningScope { get; set; }

        /// <summary>Native tensor handles alive in this process (for leak tests and diagnostics).</summary>
        public static long LiveHandleCount => TensorHandle.Live;

        internal TensorHandle Handle =>
            _handle is { IsClosed: false } h ? h : throw new ObjectDisposedException(nameof(Tensor), "the tensor has been disposed");

        public bool IsDisposed => _handle is null || _handle.IsClosed;

        /// <summary>A raw pointer for the optional-argument slots of the C ABI; callers keep the tensor alive.</summary>
        internal static IntPtr PtrOrZero(Tensor? t) => t is null ? IntPtr.Zero : t.Handle.DangerousGetHandle();

        internal static Tensor Wrap(int status, IntPtr result)
        {
            NativeStatus.Check(status);
            return new Tensor(result);
        }

        // ---- metadata ----

        public ScalarType dtype
        {
            get { NativeStatus.Check(NativeMethods.ecgt_dtype(Handle, out var d)); return (ScalarType)d; }
        }

        public long ndim
        {
            get { NativeStatus.Check(NativeMethods.ecgt_ndim(Handle, out var n)); return n; }
        }

        public long dim() => ndim;

        public unsafe long[] shape
        {
            get
            {
                var dims = new long[ndim];
                fixed (long* p = dims) NativeStatus.Check(NativeMethods.ecgt_shape(Handle, p, dims.Length));
                return dims;
            }
        }

        /// <summary>Size of one dimension (negative counts from the end).</summary>
        public long size(int dim)
        {
            var s = shape;
            var d = dim < 0 ? dim + s.Length : dim;
            if ((uint)d >= (uint)s.Length)
                throw new ArgumentOutOfRangeException(nameof(dim), dim, $"tensor has {s.Length} dimensions");
            return s[d];
        }

        public long numel()
        {
            NativeStatus.Check(NativeMethods.ecgt_numel(Handle, out var n));
            return n;
        }

        public bool is_contiguous()
        {
            NativeStatus.Check(NativeMethods.ecgt_is_contiguous(Handle, out var c));
            return c != 0;
        }

        // ---- data out ----

        /// <summary>The single element of a one-element tensor.</summary>
        public T item<T>() where T : unmanaged
        {
            NativeStatus.Check(NativeMethods.ecgt_item(Handle, out var v));
            return typeof(T) == typeof(bool) ? (T)(object)(v != 0) : (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Copies the elements (row-major) into <paramref name="destination"/>, whose length must equal numel().</summary>
        public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
        {
            var type = ScalarTypeOf<T>();
            if (type != dtype)
                throw new ArgumentException($"tensor holds {dtype}, the destination holds {typeof(T).Name} ({type})", nameof(destination));
            fixed (T* p = destination)
                NativeStatus.Check(NativeMethods.ecgt_copy_to(Handle, p, (long)destination.Length * sizeof(T)));
        }

        /// <summary>The elements (row-major) as a new array.</summary>
        public T[] ToArray<T>() where T : unmanaged
        {
            var result = new T[numel()];
            CopyTo<T>(result);
            return result;
        }

        // ---- conversions and copies ----

        public Tensor to_type(ScalarType type) => Wrap(NativeMethods.ecgt_to_dtype(Handle, (int)type, out var r), r);
        public Tensor to(ScalarType type) => to_type(type);
        public Tensor @float() => to_type(ScalarType.Float32);
        public Tensor @double() => to_type(ScalarType.Float64);
        public Tensor @long() => to_type(ScalarType.Int64);
        public Tensor @bool() => to_type(ScalarType.Bool);
        public Tensor clone() => Wrap(NativeMethods.ecgt_clone(Handle, out var r), r);
        public Tensor contiguous() => Wrap(NativeMethods.ecgt_contiguous(Handle, out var r), r);

        /// <summary>Copies <paramref name="source"/> (broadcast) into this tensor.</summary>
        public Tensor copy_(Tensor source)
        {
            NativeStatus.Check(NativeMethods.ecgt_copy_(Handle, source.Handle));
            return this;
        }

        /// <summary>Replaces the data behind this tensor, keeping its identity (Parameter.data = ...).</summary>
        internal void set_data(Tensor data) => NativeStatus.Check(NativeMethods.ecgt_set_data(Handle, data.Handle));

        // ---- dispose scopes ----

        /// <summary>Moves this tensor to the scope enclosing its current one (or out of all scopes).</summary>
        public Tensor MoveToOuterDisposeScope()
        {
            OwningScope?.MoveToOuter(this);
            return this;
        }

        /// <summary>Takes this tensor out of any scope: the caller now disposes it.</summary>
        public Tensor DetachFromDisposeScope()
        {
            OwningScope?.Remove(this);
            return this;
        }

        public void Dispose()
        {
            OwningScope?.Remove(this);
            _handle?.Dispose();
            GC.SuppressFinalize(this);
        }

        public override string ToString() =>
            IsDisposed ? "Tensor (disposed)" : $"Tensor[{string.Join(", ", shape)}] {dtype}";
    }
}
