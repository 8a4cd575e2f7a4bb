using Google.Protobuf;
using LineWatch.Model.Onnx.Proto;

namespace LineWatch.Model.Onnx;

/// <summary>Saving ONNX models: written to a temporary file and renamed, so a reader never sees half a model.</summary>
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
}
