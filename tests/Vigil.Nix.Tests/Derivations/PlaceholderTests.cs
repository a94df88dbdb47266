using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>docs/nix-formats.md §2.11: hashPlaceholder and downstreamPlaceholder.</summary>
public sealed class PlaceholderTests
{
    [Theory]
    [InlineData("out", "/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9")]
    [InlineData("lib", "/0sra2y18lr3h6j58qjm0w46yv36h1wjmilb09n8aimdpivdymscx")]
    public void Hash_placeholder(string output, string expected)
    {
        Assert.Equal(expected, Placeholders.ForOutput(output));
    }

    [Fact]
    public void Downstream_placeholder()
    {
        var drv = StoreDir.Default.Parse("/nix/store/1hjd7319dg1vaxa8pd8y6w2ks7s0zqjm-ca-a.drv");
        Assert.Equal("/1vp3km6vbwl4l6bf6n4mhjz6ccx9wqwvajxc9w8gd1wzwszsyfll", Placeholders.ForUpstreamOutput(drv, "out"));
        // A non-"out" output hashes the output path name "ca-a-lib".
        Assert.NotEqual(Placeholders.ForUpstreamOutput(drv, "out"), Placeholders.ForUpstreamOutput(drv, "lib"));
    }
}
