using EcgStream.Torch.Modules;

namespace EcgStream.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A network component: named parameters, buffers and submodules, registered in order,
        /// so names and order match PyTorch's <c>state_dict()</c>. A module owns its parameters
        /// and buffers and disposes them (and its submodules) with itself.
        /// </summary>
        public abstract class Module : IDisposable
        {
            private readonly List<(string Name, Parameter? Value)> _parameters = [];
            private readonly List<(string Name, Tensor Value)> _buffers = [];
            private readonly List<(string Name, Module Value)> _modules = [];
            private bool _disposed;

            protected Module(string name) => name_ = name;

            private readonly string name_;

            /// <summary>The module's type name, as TorchSharp's GetName().</summary>
            public string GetName() => name_;

            public bool training { get; private set; } = true;

            // ---- registration ----

            protected void register_parameter(string name, Parameter? parameter)
            {
                CheckNewName(name);
                _parameters.Add((name, parameter));
            }

            /// <summary>Registers non-trained state; the module takes ownership of <paramref name="tensor"/>.</summary>
            protected void register_buffer(string name, Tensor tensor)
            {
                CheckNewName(name);
                tensor.DetachFromDisposeScope();
                _buffers.Add((name, tensor));
            }

            protected void register_module(string name, Module module)
            {
                CheckNewName(name);
                _modules.Add((name, module));
            }

            private void CheckNewName(string name)
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                if (name.Contains('.')) throw new ArgumentException($"'{name}': a member name cannot contain '.'", nameof(name));
                if (_parameters.Exists(p => p.Name == name) || _buffers.Exists(b => b.Name == name) || _modules.Exists(m => m.Name == name))
                    throw new ArgumentException($"'{name}' is already registered in {name_}", nameof(name));
            }

            // ---- enumeration (PyTorch order: own members first, then submodules depth-first) ----

            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                foreach (var (n, p) in _parameters)
                    if (p is not null) yield return (n, p);
                if (!recurse) yield break;
                foreach (var (mn, m) in _modules)
                    foreach (var (n, p) in m.named_parameters())
                        yield return ($"{mn}.{n}", p);
            }

            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                foreach (var b in _buffers) yield return b;
                if (!recurse) yield break;
                foreach (var (mn, m) in _modules)
                    foreach (var (n, b) in m.named_buffers())
                        yield return ($"{mn}.{n}", b);
            }

            public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

            public IEnumerable<(string name, Module module)> named_children() => _modules.Select(m => (m.Name, m.Value));

            /// <summary>
            /// Parameters and buffers by dotted name, in PyTorch's order. The values are the
            /// module's own tensors (not copies): the module still owns them.
            /// </summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var result = new Dictionary<string, Tensor>();
                AddState(result, "");
                return result;
            }

            private void AddState(Dictionary<string, Tensor> into, string prefix)
            {
                foreach (var (n, p) in _parameters)
                    if (p is not null) into.Add(prefix + n, p);
                foreach (var (n, b) in _buffers) into.Add(prefix + n, b);
                foreach (var (n, m) in _modules) m.AddState(into, $"{prefix}{n}.");
            }

            /// <summary>
            /// Copies values into this module's parameters and buffers. With <paramref name="strict"/>,
            /// missing or unexpected names are an error; shapes and dtypes must always match.
            /// </summary>
            public void load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
            {
                ArgumentNullException.ThrowIfNull(source);
                var own = state_dict();
                if (strict)
                {
                    var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
                    var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
                    if (missing.Count > 0 || unexpected.Count > 0)
                        throw new ArgumentException(
                            $"state dict does not fit {name_}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]",
                            nameof(source));
                }
                using var _ = no_grad();
                foreach (var (name, target) in own)
                {
                    if (!source.TryGetValue(name, out var value)) continue;
                    var (ts, vs) = (target.shape, value.shape);
                    if (!ts.AsSpan().SequenceEqual(vs))
                        throw new ArgumentException($"'{name}': shape [{string.Join(", ", vs)}] does not match the module's [{string.Join(", ", ts)}]", nameof(source));
                    if (target.dtype != value.dtype)
                        throw new ArgumentException($"'{name}': dtype {value.dtype} does not match the module's {target.dtype}", nameof(source));
                    target.copy_(value);
                }
            }

            // ---- modes and conversion ----

            public Module train(bool on = true)
            {
                training = on;
                foreach (var (_, m) in _modules) m.train(on);
                return this;
            }

            public Module eval() => train(false);

            /// <summary>Converts every floating-point parameter and buffer to <paramref name="type"/> in place (identities kept).</summary>
            public Module to(ScalarType type)
            {
                using (var scope = NewDisposeScope())
                using (no_grad())
                {
                    foreach (var (_, t) in state_dict())
                    {
                        var current = t.dtype;
                        if (current is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64 && current != type)
                            t.set_data(t.to_type(type));
                    }
                }
                return this;
            }

            /// <summary>Drops the gradients of every parameter.</summary>
            public void zero_grad() => optim.Optimizer.ZeroGrad(parameters().ToArray(), set_to_none: true);

            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                foreach (var (_, p) in _parameters) p?.Dispose();
                foreach (var (_, b) in _buffers) b.Dispose();
                foreach (var (_, m) in _modules) m.Dispose();
                GC.SuppressFinalize(this);
            }
        }

        /// <summary>A module with one input.</summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name) : base(name) { }

            public abstract TResult forward(T input);

            public TResult call(T input) => forward(input);
        }

        /// <summary>A module with two inputs.</summary>
        public abstract class Module<T1, T2, TResult> : Module
        {
            protected Module(string name) : base(name) { }

            public abstract TResult forward(T1 input1, T2 input2);

            public TResult call(T1 input1, T2 input2) => forward(input1, input2);
        }
    }
}
