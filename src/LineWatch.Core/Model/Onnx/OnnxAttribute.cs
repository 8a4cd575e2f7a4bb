using System.Text;
using Google.Protobuf;
using LineWatch.Model.Onnx.Proto;

namespace LineWatch.Model.Onnx;

/// <summary>A node attribute: an int, a float, a string, or a list of ints or floats.</summary>
public sealed class OnnxAttribute
{
    private readonly AttributeProto _proto;

    private OnnxAttribute(AttributeProto proto) => _proto = proto;

    public static OnnxAttribute Int(string name, long value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    public static OnnxAttribute Float(string name, float value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    public static OnnxAttribute String(string name, string value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFrom(value, Encoding.UTF8) });

    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var proto = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new(proto);
    }

    public static OnnxAttribute Floats(string name, params float[] values)
    {
        var proto = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        proto.Floats.AddRange(values);
        return new(proto);
    }

    /// <summary>A subgraph, e.g. the body of a Scan or Loop.</summary>
    public static OnnxAttribute Graph(string name, GraphProto graph) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph });

    internal AttributeProto ToProto() => _proto.Clone();
}
