using Google.Protobuf;
using LineWatch.Model;
using LineWatch.Model.Onnx;
using LineWatch.Model.Onnx.Proto;
using static LineWatch.Model.Onnx.Proto.TensorProto.Types;

namespace LineWatch.Tests.Model;

public class OnnxGraphBuilderTests
{
    [Fact]
    public void Writes_a_model_that_reads_back_with_the_onnx_field_layout()
    {
        var graph = new OnnxGraphBuilder("g");
        var x = graph.Input("x", DataType.Float, "batch", 4);
        var w = graph.Weight("w", new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [4, 2]);
        var y = graph.Node("MatMul", [x, w], "y");
        graph.Output(y, DataType.Float, "batch", 2);
        var bytes = graph.Build("test").ToByteArray();

        var model = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("batch", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(4, model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(32, model.Graph.Initializer[0].RawData.Length);
        Assert.Equal(8, graph.ParameterCount);
        Assert.Equal(["x", "w"], model.Graph.Node[0].Input);
    }

    [Fact]
    public void Repeated_names_are_made_unique_and_wrong_sizes_are_refused()
    {
        var graph = new OnnxGraphBuilder("g");
        var a = graph.Weight("w", new float[] { 1 }, [1]);
        var b = graph.Weight("w", new float[] { 2 }, [1]);
        Assert.NotEqual(a, b);
        Assert.Throws<ArgumentException>(() => graph.Weight("bad", new float[] { 1, 2, 3 }, [2, 2]));
        Assert.Throws<InvalidOperationException>(() => graph.Node("SelectiveScan", [a], domain: "ai.linewatch"));
    }

    [Fact]
    public void The_scan_model_imports_our_domain_and_carries_the_flags()
    {
        var model = SelectiveScanModel.Build(new ScanFlags(Reverse: true, MaskDiagonal: true));
        var node = Assert.Single(model.Graph.Node);
        Assert.Equal("ai.linewatch", node.Domain);
        Assert.Equal(8, node.Input.Count);
        Assert.Contains(model.OpsetImport, o => o.Domain == "ai.linewatch" && o.Version == 1);
        Assert.Equal(1, node.Attribute.Single(a => a.Name == "reverse").I);
        Assert.Equal(1, node.Attribute.Single(a => a.Name == "mask_diagonal").I);
        Assert.Equal(0, node.Attribute.Single(a => a.Name == "init_from_input").I);
    }
}
