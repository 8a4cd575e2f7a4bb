using Google.Protobuf;
using LineWatch.Model.Onnx.Proto;
using LineWatch.Storage;

namespace LineWatch.Model.Onnx;

/// <summary>Saving and loading ONNX models. Saving goes through <see cref="AtomicFile"/>, so a reader never sees half a model.</summary>
public static class OnnxModelFile
{
    public static void Save(ModelProto model, string path)
    {
        using var file = AtomicFile.Create(path);
        model.WriteTo(file.Stream);
        file.Commit();
    }

    /// <exception cref="InvalidDataException">The file is not an ONNX model (or is truncated).</exception>
    public static ModelProto Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path} is not an ONNX model ({e.Message})", e);
        }
        if (model.Graph is null || model.OpsetImport.Count == 0) throw new InvalidDataException($"{path} is not an ONNX model (no graph or opset)");
        return model;
    }
}
