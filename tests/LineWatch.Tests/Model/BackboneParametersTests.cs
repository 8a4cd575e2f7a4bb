using LineWatch.Model.Backbone;

namespace LineWatch.Tests.Model;

public class BackboneParametersTests
{
    [Theory]
    [InlineData("tiny", 7.04)]
    [InlineData("small", 25.57)]
    [InlineData("middle", 73.88)]
    public void Parameter_counts_match_the_paper_at_16_frames_with_a_400_class_head(string size, double millions)
    {
        foreach (var arch in Enum.GetValues<BackboneArch>())
        {
            var count = BackboneParameters.Count(BackboneSpec.Named(arch, size, frames: 16, imageSize: 224, headClasses: 400));
            Assert.InRange(count / 1e6, millions * 0.995, millions * 1.005);
        }
    }

    [Fact]
    public void Tiny_has_exactly_the_official_shapes()
    {
        var spec = BackboneSpec.Named(BackboneArch.VideoMamba, "tiny", 16, 224, 400);
        Assert.Equal(7_035_280, BackboneParameters.Count(spec));
        var shapes = BackboneParameters.For(spec).ToDictionary(p => p.Name, p => p.Shape);
        Assert.Equal([1, 197, 192], shapes["pos_embed"]);
        Assert.Equal([1, 16, 192], shapes["temporal_pos_embedding"]);
        Assert.Equal([768, 192], shapes["layers.0.mixer.in_proj.weight"]);
        Assert.Equal([12 + 32, 384], shapes["layers.23.mixer.x_proj_b.weight"]);
        Assert.Equal([384, 1, 4], shapes["layers.5.mixer.conv1d_b.weight"]);
        Assert.Equal([384, 12], shapes["layers.5.mixer.dt_proj.weight"]);
        Assert.Equal(12, spec.DtRank);
        Assert.Equal(1 + 16 * 196, spec.Tokens);
    }

    [Fact]
    public void Random_weights_are_deterministic_and_follow_the_official_initialisation()
    {
        var spec = BackboneSpec.Custom(BackboneArch.VideoMambaPro, 32, 2, 2, 32);
        var a = RandomWeights.Create(spec, 3);
        var b = RandomWeights.Create(spec, 3);
        var c = RandomWeights.Create(spec, 4);

        Assert.Equal(a["layers.1.mixer.in_proj.weight"].Data, b["layers.1.mixer.in_proj.weight"].Data);
        Assert.NotEqual(a["layers.1.mixer.in_proj.weight"].Data, c["layers.1.mixer.in_proj.weight"].Data);
        Assert.Equal(MathF.Log(5), a["layers.0.mixer.A_log"].Data[4], 5);
        Assert.Equal(MathF.Log(16), a["layers.0.mixer.A_b_log"].Data[15], 5);
        Assert.All(a["layers.0.mixer.D"].Data, v => Assert.Equal(1f, v));
        Assert.All(a["layers.1.mixer.dt_proj.bias"].Data, v =>
        {
            var softplus = Math.Log(1 + Math.Exp(v));
            Assert.InRange(softplus, 1e-3 * 0.999, 1e-1 * 1.001);
        });
        var linear = a["layers.0.mixer.in_proj.weight"].Data;
        Assert.All(linear, v => Assert.InRange(v, -0.04f, 0.04f)); // truncated at 2 std
        var std = Math.Sqrt(linear.Average(v => (double)v * v));
        Assert.InRange(std, 0.015, 0.02);
    }

    [Fact]
    public void Weights_that_do_not_fit_the_spec_are_refused_with_every_problem_named()
    {
        var spec = BackboneSpec.Custom(BackboneArch.VideoMamba, 32, 1, 2, 32);
        var tensors = BackboneParameters.For(spec).ToDictionary(p => p.Name, p => new WeightTensor(p.Shape, new float[p.Shape.Aggregate(1L, (x, y) => x * y)]));
        tensors.Remove("norm_f.weight");
        tensors["cls_token"] = new WeightTensor([1, 1, 16], new float[16]);

        var error = Assert.Throws<ArgumentException>(() => new BackboneWeights(spec, tensors, "test.pth"));
        Assert.Contains("missing norm_f.weight (32)", error.Message);
        Assert.Contains("cls_token is (1,1,16), expected (1,1,32)", error.Message);
    }
}
