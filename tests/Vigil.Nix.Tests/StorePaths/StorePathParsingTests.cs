using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.StorePaths;

/// <summary>docs/nix-formats.md §2.1 and §2.8: parsing base names and full paths.</summary>
public sealed class StorePathParsingTests
{
    private const string Hash = "vxjiwkjkn7x4079qvh1jkl5pn05j2aw0";

    [Fact]
    public void Parses_a_full_path()
    {
        var path = StoreDir.Default.Parse("/nix/store/" + Hash + "-foo");
        Assert.Equal(Hash, path.HashPart.ToString());
        Assert.Equal("foo", path.Name.ToString());
        Assert.Equal(Hash + "-foo", path.BaseName);
        Assert.Equal(Hash + "-foo", path.ToString());
        Assert.False(path.IsDerivation);
        Assert.True(StoreDir.Default.Parse("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv").IsDerivation);
        Assert.Equal("/nix/store/" + Hash + "-foo", StoreDir.Default.Print(path));
    }

    [Theory]
    [InlineData('e')]
    [InlineData('o')]
    [InlineData('u')]
    [InlineData('t')]
    [InlineData('A')]
    [InlineData('-')]
    [InlineData('é')]
    public void Hash_part_is_lowercase_nix32(char bad)
    {
        var baseName = Hash[..7] + bad + Hash[8..] + "-foo";
        var e = Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(baseName, 11));
        Assert.Equal(11 + 7, e.Position);
    }

    [Fact]
    public void Too_short_base_names_are_rejected()
    {
        Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(Hash));
        Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(""));
        Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(Hash[..31] + "-foo"));
    }

    [Theory]
    [InlineData('_')]
    [InlineData('"')]
    [InlineData('/')]
    [InlineData('a')]
    public void The_dash_is_checked_as_in_later_Nix(char bad)
    {
        // Nix 2.8 reads the name from offset 33 whatever is at 32; a quote there survived our parser
        // and broke the written .drv (found by ATermFuzzTests), so we check it as Nix ≥ 2.9 does.
        var e = Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(Hash + bad + "foo", 7));
        Assert.Equal(7 + 32, e.Position);
    }

    [Theory]
    [InlineData("/nix/storefoo")]
    [InlineData("/nix/store")]
    [InlineData("/nix/store/")]
    [InlineData("nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo")]
    [InlineData("/gnu/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo")]
    [InlineData("/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo/bin/sh")]
    // Nix 2.8 would canonicalise this one (canonPath drops the slash); Nix never writes it, we reject it.
    [InlineData("/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo/")]
    [InlineData("/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-")]
    [InlineData("")]
    public void Rejects_paths_that_are_not_store_paths(string text)
    {
        var e = Assert.Throws<NixFormatException>(() => StoreDir.Default.Parse(text));
        Assert.Equal("store path", e.Format);
        Assert.False(StoreDir.Default.TryParse(text, out _));
    }

    [Fact]
    public void Subpath_error_points_at_the_slash()
    {
        var e = Assert.Throws<NixFormatException>(() => StoreDir.Default.Parse("/nix/store/" + Hash + "-foo/bin", 5));
        Assert.Equal(5 + 11 + 32 + 4, e.Position);
    }

    [Fact]
    public void Other_store_dirs_parse_their_own_paths()
    {
        var gnu = new StoreDir("/gnu/store");
        Assert.True(gnu.TryParse("/gnu/store/798sxvdgr0680czdggbls7rd3sfwk2yx-foo", out var p));
        Assert.Equal("798sxvdgr0680czdggbls7rd3sfwk2yx-foo", p.BaseName);
        Assert.False(gnu.TryParse("/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo", out _));
    }
}
