using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>Output tuples: the five kinds of §3.4, and bad tuples reported with their position.</summary>
public sealed class DerivationOutputTests
{
    private const string BarPath = "/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar";
    private const string BarHash = "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba";

    private static string Drv(string tuple) => "Derive([" + tuple + """],[],[],":",":",[],[("builder",":")])""";

    private static NixFormatException ParseError(string aterm) =>
        Assert.Throws<NixFormatException>(() => ATermReader.Parse(Encoding.UTF8.GetBytes(aterm), "bar"));

    [Fact]
    public void Kinds()
    {
        Assert.Equal(OutputKind.InputAddressed, new DerivationOutput("out", BarPath, "", "").Kind);
        Assert.Equal(OutputKind.Deferred, new DerivationOutput("out", "", "", "").Kind);
        Assert.Equal(OutputKind.Floating, new DerivationOutput("out", "", "r:sha256", "").Kind);
        Assert.Equal(OutputKind.Impure, new DerivationOutput("out", "", "r:sha256", "impure").Kind);
        var fixedOutput = new DerivationOutput("out", BarPath, "r:sha256", BarHash);
        Assert.Equal(OutputKind.Fixed, fixedOutput.Kind);
        Assert.Equal(ContentAddressMethod.Recursive, fixedOutput.Method);
        Assert.Equal(HashAlgorithmKind.Sha256, fixedOutput.Algorithm);
        Assert.Equal(BarHash, fixedOutput.FixedHash!.ToBase16());
        Assert.Equal("r:sha256", fixedOutput.MethodAlgo);
        Assert.Equal("md5", new DerivationOutput("out", BarPath, "md5", "5d41402abc4b2a76b9719d911017c592").MethodAlgo);
    }

    [Theory]
    [InlineData("0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa")]
    [InlineData("CkMIecJm+LV/QJKg+TXPP6zUi7zN5XYNR0jKQFFx6Wk=")]
    [InlineData("0A430879C266F8B57F4092A0F935CF3FACD48BBCCDE5760D4748CA405171E969")]
    public void Tuple_hash_may_be_any_unprefixed_encoding_and_keeps_its_spelling(string hash)
    {
        // Nix 2.8 accepts these (checked with nix-store --add); writing back keeps the bytes.
        var o = new DerivationOutput("out", BarPath, "r:sha256", hash);
        Assert.Equal("0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969", o.FixedHash!.ToBase16());
        Assert.Equal(hash, o.Hash);
    }

    [Theory]
    [InlineData("r:sha256", "sha256:" + BarHash)]
    [InlineData("r:sha256", "sha256-CIE8vumQPGK+TFAncmpBijANpFALLTadOvkob0gVzro=")]
    [InlineData("r:sha256", "zz")]
    [InlineData("sha1", BarHash)]
    public void Bad_hash_is_a_hash_format_error(string algo, string hash)
    {
        var e = Assert.Throws<NixFormatException>(() => new DerivationOutput("out", BarPath, algo, hash));
        Assert.Equal("hash", e.Format);
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("R:sha256")]
    [InlineData("r:")]
    [InlineData("r:r:sha256")]
    [InlineData("blake3")]
    public void Unknown_algorithm(string algo)
    {
        var e = Assert.Throws<NixFormatException>(() => new DerivationOutput("out", BarPath, algo, BarHash));
        Assert.Equal("hash algorithm", e.Format);
    }

    [Fact]
    public void Shapes_Nix_never_writes_are_rejected()
    {
        // Nix 2.8 ignores (and drops) the hash of an algorithm-less output, and asserts on a path for floating/impure.
        Assert.Equal("derivation output", Assert.Throws<NixFormatException>(() => new DerivationOutput("out", BarPath, "", "junk")).Format);
        Assert.Equal("derivation output", Assert.Throws<NixFormatException>(() => new DerivationOutput("out", "", "", BarHash)).Format);
        Assert.Equal("derivation output", Assert.Throws<NixFormatException>(() => new DerivationOutput("out", BarPath, "r:sha256", "")).Format);
        Assert.Equal("derivation output", Assert.Throws<NixFormatException>(() => new DerivationOutput("out", BarPath, "r:sha256", "impure")).Format);
    }

    [Fact]
    public void Bad_hash_in_a_drv_points_into_the_hash_field()
    {
        var badHash = BarHash[..10] + "x" + BarHash[11..];
        var aterm = Drv($"""("out","{BarPath}","r:sha256","{badHash}")""");
        var e = ParseError(aterm);
        Assert.Equal("derivation", e.Format);
        Assert.Equal(aterm.IndexOf(badHash, StringComparison.Ordinal) + 10, e.Position);
        Assert.Contains("output 'out'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_length_hash_in_a_drv_points_at_the_hash()
    {
        var aterm = Drv($"""("out","{BarPath}","r:sha256","sha256:{BarHash}")""");
        var e = ParseError(aterm);
        Assert.Equal(aterm.IndexOf("sha256:" + BarHash, StringComparison.Ordinal), e.Position);
        Assert.Contains("wrong length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_algorithm_in_a_drv_points_at_the_algorithm()
    {
        var aterm = Drv($"""("out","{BarPath}","r:SHA256","{BarHash}")""");
        var e = ParseError(aterm);
        Assert.Equal(aterm.IndexOf("r:SHA256", StringComparison.Ordinal), e.Position);
    }

    [Fact]
    public void Impossible_shape_in_a_drv_points_at_the_tuple()
    {
        var aterm = Drv($"""("out","{BarPath}","","junk")""");
        var e = ParseError(aterm);
        Assert.Equal("Derive([".Length, e.Position);
    }

    [Fact]
    public void Bad_output_path_points_at_the_bad_character()
    {
        var badPath = BarPath.Replace("4q0pg", "4q0Pg", StringComparison.Ordinal);
        var aterm = Drv($"""("out","{badPath}","","")""");
        var e = ParseError(aterm);
        Assert.Equal("store path", e.Format);
        Assert.Equal(aterm.IndexOf(badPath, StringComparison.Ordinal) + "/nix/store/4q0".Length, e.Position);
    }
}
