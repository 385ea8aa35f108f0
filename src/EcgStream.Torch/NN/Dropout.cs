using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Modules
{
    /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) while training; identity in eval mode.</summary>
    public sealed class Dropout : nn.Module<Tensor, Tensor>
    {
        public Dropout(double p = 0.5) : base(nameof(Dropout))
        {
            if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
            this.p = p;
        }

        public double p { get; }

        public override Tensor forward(Tensor input) => nn.functional.dropout(input, p, training);
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Dropout Dropout(double p = 0.5) => new(p);
        }
    }
}
