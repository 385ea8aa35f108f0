using EcgStream.Torch.Modules;

namespace EcgStream.Torch.Modules
{
    /// <summary>
    /// A tensor a module trains. It belongs to its module (never to a dispose scope) and keeps
    /// its identity when its data is replaced, so optimisers holding it stay valid.
    /// </summary>
    public sealed class Parameter : torch.Tensor
    {
        /// <summary>Takes over <paramref name="data"/>'s native tensor (data is left disposed) and marks it trainable.</summary>
        public Parameter(torch.Tensor data, bool requires_grad = true) : base(data, registerInScope: false)
        {
            this.requires_grad = requires_grad;
        }
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>Wraps a leaf tensor as a trainable parameter (the tensor is moved into it).</summary>
            public static Parameter Parameter(Tensor data, bool requires_grad = true) => new(data, requires_grad);
        }
    }
}
