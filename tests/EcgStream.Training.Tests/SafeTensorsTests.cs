using System.Text;
using System.Text.Json;
using EcgStream.Tests;
using EcgStream.Training.Checkpoints;
using EcgStream.Training.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgt-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [TorchFact]
    public void A_module_round_trips_through_a_checkpoint()
    {
        manual_seed(1);
        using var a = new TransformerBlock(8, 2);
        manual_seed(2);
        using var b = new TransformerBlock(8, 2);
        var path = Path.Combine(_dir, "block.safetensors");
        a.save_safetensors(path, new Dictionary<string, string> { ["commit"] = "abc123" });
        b.load_safetensors(path);
        foreach (var ((na, ta), (nb, tb)) in a.state_dict().Zip(b.state_dict()))
        {
            Assert.Equal(na, nb);
            Assert.Equal(ta.ToArray<float>(), tb.ToArray<float>());
        }
        var loaded = SafeTensors.Load(path, out var metadata);
        Assert.Equal("abc123", metadata["commit"]);
        Assert.Equal(a.state_dict().Keys, loaded.Keys);
        foreach (var t in loaded.Values) t.Dispose();
        // The header is padded to 8 bytes and the data follows it immediately.
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0, BitConverter.ToInt64(bytes, 0) % 8);
    }

    [TorchFact]
    public void A_save_that_fails_leaves_no_temporary_file()
    {
        using var scope = NewDisposeScope();
        var path = Directory.CreateDirectory(Path.Combine(_dir, "a-folder.safetensors")).FullName;   // a folder where the file should go
        Assert.ThrowsAny<IOException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = ones(64, 64) }));
        Assert.False(File.Exists(path + ".tmp"), "the half-written .tmp was left behind");
        Assert.True(Directory.Exists(path));
    }

    [TorchFact]
    public void Every_dtype_round_trips()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(_dir, "dtypes.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(new[] { 1.5f, -2f }),
            ["f64"] = tensor(new[] { Math.PI }).reshape(1, 1),
            ["i64"] = tensor(new[] { long.MinValue, 3 }),
            ["i32"] = tensor(new[] { -7 }),
            ["u8"] = tensor(new byte[] { 0, 255 }),
            ["bool"] = tensor(new[] { true, false, true }),
            ["f16"] = tensor(new[] { 0.5f, 3f }).to_type(ScalarType.Float16),
            ["empty"] = zeros([0, 3]),
        };
        SafeTensors.Save(path, tensors);
        var loaded = SafeTensors.Load(path);
        foreach (var (name, t) in tensors)
        {
            using var l = loaded[name];
            Assert.Equal(t.dtype, l.dtype);
            Assert.Equal(t.shape, l.shape);
            Assert.True(t.to_type(ScalarType.Float64).allclose(l.to_type(ScalarType.Float64), 0, 0), name);
        }
    }

    [TorchFact]
    public void Saving_into_a_folder_that_does_not_exist_yet_makes_it()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(_dir, "new", "deeper", "encoder.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = tensor(new[] { 1f, 2f }) });
        using var loaded = SafeTensors.Load(path)["w"];
        Assert.Equal(new[] { 1f, 2f }, loaded.data<float>().ToArray());
        Assert.False(File.Exists(path + ".tmp"));
    }

    [PythonFact]
    public void Python_reads_our_checkpoint_with_a_plain_reader()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var block = new TransformerBlock(8, 2);
        var path = Path.Combine(_dir, "py.safetensors");
        block.save_safetensors(path, new Dictionary<string, string> { ["format"] = "pt" });
        var (code, output) = PythonRunner.Run(PythonRunner.ScriptPath("summarize_safetensors.py"), path);
        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("pt", doc.RootElement.GetProperty("metadata").GetProperty("format").GetString());
        var seen = doc.RootElement.GetProperty("tensors");
        var ours = block.state_dict();
        Assert.Equal(ours.Keys, seen.EnumerateObject().Select(p => p.Name));
        foreach (var (name, t) in ours)
        {
            var e = seen.GetProperty(name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(t.shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(t.ToArray<float>().Sum(v => (double)v), e.GetProperty("sum").GetDouble(), 9);
        }
    }

    [TorchFact]
    public void Malformed_files_name_the_file_the_tensor_and_the_byte()
    {
        using var scope = NewDisposeScope();
        var good = Path.Combine(_dir, "good.safetensors");
        SafeTensors.Save(good, new Dictionary<string, Tensor> { ["w"] = tensor(new[] { 1f, 2f, 3f }) });
        var bytes = File.ReadAllBytes(good);
        var headerLength = (int)BitConverter.ToInt64(bytes, 0);

        var truncated = Write("truncated", bytes[..(bytes.Length - 4)]);
        var e1 = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(truncated));
        Assert.Contains(truncated, e1.Message);
        Assert.Contains("tensors cover 12 data bytes, the file holds 8", e1.Message);

        var tiny = Write("tiny", [1, 2, 3]);
        Assert.Contains("shorter than the 8-byte header length", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(tiny)).Message);

        var huge = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(huge.AsSpan(0, 8), 1L << 40);
        Assert.Contains("header length 1099511627776 exceeds", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(Write("huge", huge))).Message);

        var json = Encoding.UTF8.GetString(bytes, 8, headerLength);
        var wrongShape = Rewrite("shape", json.Replace("[3]", "[4]"), bytes, headerLength);
        var e2 = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(wrongShape));
        Assert.Contains("tensor 'w': data_offsets [0, 12] hold 12 bytes, F32 [4] needs 16", e2.Message);

        var badType = Rewrite("dtype", json.Replace("\"F32\"", "\"F99\""), bytes, headerLength);
        Assert.Contains("tensor 'w': unsupported dtype 'F99'", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(badType)).Message);

        var notJson = Rewrite("json", json.Replace("{", "["), bytes, headerLength);
        Assert.Contains("header is not valid JSON", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(notJson)).Message);

        var reserved = Assert.Throws<ArgumentException>(() => SafeTensors.Save(Path.Combine(_dir, "r.safetensors"),
            new Dictionary<string, Tensor> { ["__metadata__"] = zeros([1]) }));
        Assert.Contains("reserved", reserved.Message);

        // A checkpoint for another module is refused with the names that differ.
        using var block = nn.Linear(3, 1);
        var mismatch = Assert.Throws<InvalidDataException>(() => block.load_safetensors(good));
        Assert.Contains("missing [weight, bias], unexpected [w]", mismatch.Message);
    }

    [PyTorchFact]
    public void Our_transformer_block_matches_pytorchs_output_and_gradients_on_the_same_weights()
    {
        using var scope = NewDisposeScope();
        manual_seed(17);
        using var block = new TransformerBlock(12, 3);
        block.to(ScalarType.Float64);
        using (no_grad())
            foreach (var (name, p) in block.named_parameters())
                if (name.EndsWith("bias")) nn.init.uniform_(p, -0.2, 0.2);
        var x = randn([2, 5, 12], ScalarType.Float64).requires_grad_();
        var mask = tensor(new[] { false, false, false, true, true, false, false, false, false, false }).reshape(2, 5);
        var y = block.forward(x, mask);
        var loss = y.square().mean();
        loss.backward();

        var input = Path.Combine(_dir, "block_in.safetensors");
        var state = block.state_dict().ToDictionary(kv => "block." + kv.Key, kv => kv.Value);
        state["input"] = x.detach();
        state["mask"] = mask;
        SafeTensors.Save(input, state);
        var output = Path.Combine(_dir, "block_out.safetensors");
        var script = Path.Combine(TestData.RepoRoot, "tools", "bench", "train_step.py");
        var (code, log) = PythonRunner.Run(PythonRunner.ScriptPath("block_reference.py"), script, input, output, "12", "3");
        Assert.True(code == 0, log);

        var reference = SafeTensors.Load(output, out var meta);
        Assert.StartsWith("pytorch 1.", meta["producer"]);
        foreach (var t in reference.Values) scope.Attach(t);
        Assert.True(y.allclose(reference["output"], 1e-10, 1e-12), "forward output differs from PyTorch");
        Assert.Equal(reference["loss"].item<double>(), loss.item<double>(), 12);
        Assert.True(x.grad!.allclose(reference["input_grad"], 1e-9, 1e-12), "input gradient differs from PyTorch");
        foreach (var (name, p) in block.named_parameters())
            Assert.True(p.grad!.allclose(reference["grad." + name], 1e-9, 1e-12), $"gradient of {name} differs from PyTorch");
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name + ".safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Rewrite(string name, string json, byte[] original, int headerLength)
    {
        var header = Encoding.UTF8.GetBytes(json);
        Assert.Equal(headerLength, header.Length);
        var bytes = (byte[])original.Clone();
        header.CopyTo(bytes, 8);
        return Write(name, bytes);
    }
}
