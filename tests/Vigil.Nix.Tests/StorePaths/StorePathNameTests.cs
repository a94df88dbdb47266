using System.Security.Cryptography;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.StorePaths;

/// <summary>docs/nix-formats.md §2.8: name rules of Nix 2.8 (which has no leading-dot rule).</summary>
public sealed class StorePathNameTests
{
    private const string Hash = "vxjiwkjkn7x4079qvh1jkl5pn05j2aw0";
    private const string Allowed = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._?=";

    [Fact]
    public void Every_allowed_character_is_accepted()
    {
        Assert.Null(StorePathName.Check(Allowed));
        Assert.Equal(Allowed, StorePath.ParseBaseName(Hash + "-" + Allowed).Name.ToString());
    }

    [Fact]
    public void Every_other_character_is_rejected_at_its_offset()
    {
        for (var c = 0; c < 0x180; c++)
        {
            if (Allowed.Contains((char)c, StringComparison.Ordinal))
            {
                continue;
            }
            var name = "ab" + (char)c + "cd";
            var error = StorePathName.Check(name);
            Assert.NotNull(error);
            Assert.Equal(2, error.Value.Position);
            var e = Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(Hash + "-" + name, 100));
            Assert.Equal(100 + 33 + 2, e.Position);
            Assert.Equal("store path", e.Format);
        }
    }

    [Fact]
    public void Space_is_named_in_the_error()
    {
        var e = Assert.Throws<NixFormatException>(() => StorePathName.Validate("a b"));
        Assert.Contains("illegal character ' '", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_211_is_the_limit()
    {
        var max = new string('a', 211);
        Assert.Null(StorePathName.Check(max));
        Assert.Equal(211, StorePath.ParseBaseName(Hash + "-" + max).Name.Length);
        Assert.Equal(max, StoreDir.Default.MakeTextPath(max, SHA256.HashData("x"u8), null).Name.ToString());

        var tooLong = new string('a', 212);
        Assert.NotNull(StorePathName.Check(tooLong));
        Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(Hash + "-" + tooLong));
        Assert.Throws<NixFormatException>(() => StoreDir.Default.MakeTextPath(tooLong, SHA256.HashData("x"u8), null));
        Assert.Throws<NixFormatException>(() => StoreDir.Default.Parse("/nix/store/" + Hash + "-" + tooLong));
    }

    [Fact]
    public void Drv_names_count_the_suffix()
    {
        // 207 + ".drv" = 211 fits; 208 + ".drv" does not.
        Assert.Null(StorePathName.Check(new string('a', 207) + ".drv"));
        Assert.NotNull(StorePathName.Check(new string('a', 208) + ".drv"));
    }

    [Fact]
    public void Empty_name_is_rejected()
    {
        Assert.NotNull(StorePathName.Check(""));
        Assert.Throws<NixFormatException>(() => StorePath.ParseBaseName(Hash + "-"));
        Assert.Throws<NixFormatException>(() => StoreDir.Default.MakeTextPath("", SHA256.HashData("x"u8), null));
    }

    /// <summary>
    /// Nix 2.8 accepts all of these; 2.16.3–2.20.1 reject any leading dot, and 2.20.2+ reject
    /// ".", "..", ".-…" and "..-…". We mirror 2.8.
    /// </summary>
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".-a")]
    [InlineData("..-a")]
    [InlineData(".gitignore")]
    [InlineData("...")]
    [InlineData("...-")]
    public void Leading_dots_are_accepted_as_in_Nix_2_8(string name)
    {
        Assert.Null(StorePathName.Check(name));
        Assert.Equal(name, StorePath.ParseBaseName(Hash + "-" + name).Name.ToString());
        Assert.Equal(name, StoreDir.Default.MakeTextPath(name, SHA256.HashData("x"u8), null).Name.ToString());
    }
}
