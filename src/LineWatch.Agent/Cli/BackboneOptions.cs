using System.CommandLine;
using LineWatch.Model.Backbone;

namespace LineWatch.Agent.Cli;

/// <summary>The options that choose a backbone (--arch, --size, --frames, --img, --head), shared by `model build` and `bench`.</summary>
internal sealed class BackboneOptions
{
    private readonly Option<BackboneArch> _arch = new("--arch") { Description = "videomamba or videomambapro", DefaultValueFactory = _ => BackboneArch.VideoMambaPro };
    private readonly Option<string> _size = new("--size") { Description = "tiny, small or middle", DefaultValueFactory = _ => "tiny" };
    private readonly Option<int> _frames = new("--frames") { Description = "Frames per clip (T)", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _image = new("--img") { Description = "Image size S (a multiple of 16)", DefaultValueFactory = _ => 224 };
    private readonly Option<int> _head = new("--head") { Description = "Classes of a classification head (0: none)", DefaultValueFactory = _ => 0 };
    private readonly Option<int?> _dim = new("--dim") { Description = "Embedding width, overriding --size (experiments and tests)" };
    private readonly Option<int?> _depth = new("--depth") { Description = "Number of blocks, overriding --size (experiments and tests)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _arch, _size, _frames, _image, _head, _dim, _depth }) command.Options.Add(option);
    }

    public bool TryCreate(ParseResult parse, out BackboneSpec spec, out string error)
    {
        spec = null!;
        error = "";
        try
        {
            var arch = parse.GetValue(_arch);
            var size = parse.GetValue(_size)!;
            if (!BackboneSpec.Sizes.TryGetValue(size, out var named)) throw new ArgumentException($"--size '{size}' is not one of {string.Join(", ", BackboneSpec.Sizes.Keys)}");
            spec = BackboneSpec.Custom(arch, parse.GetValue(_dim) ?? named.Dim, parse.GetValue(_depth) ?? named.Depth,
                parse.GetValue(_frames), parse.GetValue(_image), parse.GetValue(_head));
            return true;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
    }
}
