using Google.Protobuf;
using LineWatch.Model.Onnx.Proto;

namespace LineWatch.Model.Onnx;

/// <summary>Saving and loading ONNX models. Saving writes a temporary file and renames it, so a reader never sees half a model.</summary>
public static class OnnxModelFile
{
    public static void Save(ModelProto model, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = path + ".partial";
        using (var stream = File.Create(temporary))
        {
            model.WriteTo(stream);
        }
        File.Move(temporary, path, overwrite: true);
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
