using EcgStream.Onnx.Graph;
using EcgStream.Onnx.Proto;

namespace EcgStream.Inference.Tests;

/// <summary>The ONNX writer: wire format facts, round trips and wiring checks.</summary>
public class GraphBuilderTests
{
    [Fact]
    public void Field_numbers_are_those_of_the_onnx_schema()
    {
        // ir_version = 1 (varint), producer_name = 2, graph = 7, opset_import = 8, metadata_props = 14.
        var model = new ModelProto { IrVersion = 9, ProducerName = "p", Graph = new GraphProto { Name = "g" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 20 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "v" });
        byte[] expected =
        [
            0x08, 0x09,                         // 1: ir_version 9
            0x12, 0x01, (byte)'p',              // 2: producer_name
            0x3A, 0x03, 0x12, 0x01, (byte)'g',  // 7: graph { 2: name }
            0x42, 0x02, 0x10, 0x14,             // 8: opset_import { 2: version 20 }
            0x72, 0x06, 0x0A, 0x01, (byte)'k', 0x12, 0x01, (byte)'v', // 14: metadata_props { 1: key, 2: value }
        ];
        Assert.Equal(expected, Google.Protobuf.MessageExtensions.ToByteArray(model));
    }

    [Fact]
    public void Built_model_round_trips_through_protobuf_with_everything_in_place()
    {
        var g = new GraphBuilder("round_trip") { ProducerName = "tests", ModelVersion = 3 };
        var x = g.Input("x", ElementType.Float, "N", 2);
        var w = g.Initializer("w", [1f, 2f, 3f, 4f], 2, 2);
        var y = g.Op("Gemm", [x, w], Attr.Float("alpha", 0.5f), Attr.Int("transB", 1), Attr.Ints("unused_ints", 1, 2), Attr.String("s", "text"));
        g.Node("Identity", [y], ["out"]);
        g.Output("out", ElementType.Float, "N", 2);
        g.Metadata("a", "1").Metadata("a", "2");

        var parsed = ModelProto.Parser.ParseFrom(g.ToBytes());

        Assert.Equal(GraphBuilder.DefaultIrVersion, parsed.IrVersion);
        Assert.Equal(GraphBuilder.DefaultOpset, Assert.Single(parsed.OpsetImport).Version);
        Assert.Equal(("tests", 3L), (parsed.ProducerName, parsed.ModelVersion));
        Assert.Equal("2", Assert.Single(parsed.MetadataProps).Value);   // a later Metadata() replaces
        var input = Assert.Single(parsed.Graph.Input);
        Assert.Equal("N", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(2, input.Type.TensorType.Shape.Dim[1].DimValue);
        var init = Assert.Single(parsed.Graph.Initializer);
        Assert.Equal([2L, 2L], init.Dims);
        Assert.Equal((int)ElementType.Float, init.DataType);
        Assert.Equal([1f, 2f, 3f, 4f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(init.RawData.Span).ToArray());
        var gemm = parsed.Graph.Node[0];
        Assert.Equal("Gemm", gemm.OpType);
        Assert.Equal(0.5f, gemm.Attribute.Single(a => a.Name == "alpha").F);
        Assert.Equal(AttributeProto.Types.AttributeType.Int, gemm.Attribute.Single(a => a.Name == "transB").Type);
        Assert.Equal([1L, 2L], gemm.Attribute.Single(a => a.Name == "unused_ints").Ints);
        Assert.Equal("text", gemm.Attribute.Single(a => a.Name == "s").S.ToStringUtf8());
    }

    [Fact]
    public void Reading_an_undefined_value_is_refused_naming_node_and_value()
    {
        var g = new GraphBuilder("broken");
        var x = g.Input("x", ElementType.Float, 2);
        g.Node("Add", [x, "ghost"], ["y"], name: "add_ghost");
        g.Output("y", ElementType.Float, 2);

        var e = Assert.Throws<InvalidOperationException>(() => g.Build());
        Assert.Equal("graph 'broken': node add_ghost (Add) reads 'ghost', which no input, initializer or earlier node defines", e.Message);
    }

    [Fact]
    public void Output_nobody_produces_and_duplicate_names_are_refused()
    {
        var g = new GraphBuilder("g");
        var x = g.Input("x", ElementType.Float, 2);
        g.Output("nothing", ElementType.Float, 2);
        Assert.Contains("output 'nothing' is declared but nothing produces it", Assert.Throws<InvalidOperationException>(() => g.Build()).Message);
        Assert.Contains("'x' (initializer) is already defined", Assert.Throws<ArgumentException>(() => g.Initializer("x", [1f], 1)).Message);
    }

    [Fact]
    public void Initializer_whose_values_do_not_fill_its_shape_is_refused()
    {
        var g = new GraphBuilder("g");
        var e = Assert.Throws<ArgumentException>(() => g.Initializer("w", [1f, 2f, 3f], 2, 2));
        Assert.Contains("tensor 'w': 3 values do not fill shape [2,2] (4 values)", e.Message);
    }

    [Fact]
    public void Operators_newer_than_the_imported_opset_are_refused()
    {
        var g = new GraphBuilder("old", opset: 13);
        var x = g.Input("x", ElementType.Float, 2);
        Assert.Contains("Gelu needs ONNX opset ≥ 20; this graph imports opset 13", Assert.Throws<InvalidOperationException>(() => g.Gelu(x)).Message);
    }

    [Fact]
    public void Save_writes_the_same_bytes_as_ToBytes()
    {
        var g = new GraphBuilder("save");
        g.Node("Identity", [g.Input("x", ElementType.Float, 1)], ["y"]);
        g.Output("y", ElementType.Float, 1);
        var path = Path.Combine(Path.GetTempPath(), $"ecgstream-save-{Guid.NewGuid():N}", "m.onnx");
        try
        {
            g.Save(path);
            Assert.Equal(g.ToBytes(), File.ReadAllBytes(path));
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }
}
