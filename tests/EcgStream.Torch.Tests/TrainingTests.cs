using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;
using F = EcgStream.Torch.torch.nn.functional;

namespace EcgStream.Torch.Tests;

/// <summary>Small models fit toy tasks to near-zero loss, and a fixed seed reproduces a run exactly.</summary>
public sealed class TrainingTests
{
    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        public readonly Linear Fc1, Fc2, Fc3;

        public Mlp(int inputs, int hidden, int outputs) : base(nameof(Mlp))
        {
            Fc1 = nn.Linear(inputs, hidden);
            Fc2 = nn.Linear(hidden, hidden);
            Fc3 = nn.Linear(hidden, outputs);
            register_module("fc1", Fc1);
            register_module("fc2", Fc2);
            register_module("fc3", Fc3);
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return scope.MoveToOuter(Fc3.forward(Fc2.forward(Fc1.forward(x).tanh()).tanh()));
        }
    }

    /// <summary>Token classifier: embedding + positions, pre-norm blocks, masked mean pool, linear head.</summary>
    internal sealed class TinyTransformer : nn.Module<Tensor, Tensor?, Tensor>
    {
        public readonly Embedding Tokens;
        public readonly Parameter Positions;
        public readonly TransformerBlock[] Blocks;
        public readonly LayerNorm Norm;
        public readonly Linear Head;

        public TinyTransformer(int vocab, int tokens, int dim, int heads, int depth, int classes) : base(nameof(TinyTransformer))
        {
            Tokens = nn.Embedding(vocab, dim);
            Positions = nn.Parameter(nn.init.normal_(zeros([tokens, dim]), 0, 0.5));
            Blocks = Enumerable.Range(0, depth).Select(_ => nn.TransformerBlock(dim, heads)).ToArray();
            Norm = nn.LayerNorm(dim);
            Head = nn.Linear(dim, classes);
            register_module("tokens", Tokens);
            register_parameter("positions", Positions);
            for (var i = 0; i < depth; i++) register_module($"block{i}", Blocks[i]);
            register_module("norm", Norm);
            register_module("head", Head);
        }

        public override Tensor forward(Tensor ids, Tensor? padding)
        {
            using var scope = NewDisposeScope();
            var h = Tokens.forward(ids) + Positions;
            foreach (var b in Blocks) h = b.forward(h, padding);
            h = Norm.forward(h);
            Tensor pooled;
            if (padding is null) pooled = h.mean(1);
            else
            {
                var keep = padding.logical_not().unsqueeze(-1).to_type(ScalarType.Float32);
                pooled = (h * keep).sum(1) / keep.sum(1);
            }
            return scope.MoveToOuter(Head.forward(pooled));
        }
    }

    private static float[] TrainMlp(ulong seed, int steps)
    {
        manual_seed(seed);
        using var model = new Mlp(2, 32, 1);
        using var opt = optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9, weight_decay: 1e-5);
        var losses = new List<float>();
        using var data = NewDisposeScope();
        // y = sin(2 x0) · x1 on 64 random points of [-1, 1]².
        var x = rand([64, 2]) * 2 - 1;
        var y = ((x.select(1, 0) * 2).sin() * x.select(1, 1)).unsqueeze(1);
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var loss = F.mse_loss(model.forward(x), y);
            opt.zero_grad();
            loss.backward();
            opt.step();
            losses.Add(loss.item<float>());
        }
        return [.. losses];
    }

    [TorchFact]
    public void An_mlp_fits_a_smooth_function_and_a_fixed_seed_repeats_it_exactly()
    {
        var first = TrainMlp(3, 1500);
        Assert.True(first[^1] < 2e-3, $"final MSE {first[^1]} (started at {first[0]})");
        Assert.True(first[^1] < first[0] / 20);
        var second = TrainMlp(3, 1500);
        Assert.Equal(first, second);   // bit for bit
        var other = TrainMlp(4, 5);
        Assert.NotEqual(first[0], other[0]);
    }

    internal static (Tensor ids, Tensor padding, Tensor labels) ToyTokens(int n, int tokens, int vocab)
    {
        // Label = the token in the first position (mod 4): the model must attend to position 0.
        var ids = randint(0, vocab, [n, tokens]);
        var labels = ids.select(1, 0).remainder(4);
        // The last token of every other sequence is padding.
        var pad = new bool[n * tokens];
        for (var i = 0; i < n; i += 2) pad[i * tokens + tokens - 1] = true;
        return (ids, tensor(pad, n, tokens), labels);
    }

    private static float[] TrainTransformer(ulong seed, int steps)
    {
        manual_seed(seed);
        using var model = new TinyTransformer(vocab: 8, tokens: 6, dim: 16, heads: 2, depth: 2, classes: 4);
        using var opt = optim.AdamW(model.parameters(), lr: 3e-3, weight_decay: 0.01);
        var sched = optim.lr_scheduler.WarmupCosine(opt, 20, steps);
        using var data = NewDisposeScope();
        var (ids, padding, labels) = ToyTokens(64, 6, 8);
        var losses = new List<float>();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var loss = F.cross_entropy(model.forward(ids, padding), labels);
            opt.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            opt.step();
            sched.step();
            losses.Add(loss.item<float>());
        }
        return [.. losses];
    }

    [TorchFact]
    public void A_small_transformer_fits_a_token_task_and_a_fixed_seed_repeats_it_exactly()
    {
        var first = TrainTransformer(21, 300);
        Assert.True(first[^1] < 0.02, $"final cross-entropy {first[^1]} (started at {first[0]})");
        var second = TrainTransformer(21, 300);
        Assert.Equal(first, second);
    }
}
