using Vigil.Nix.Hashing;

namespace Vigil.Nix.Tests.Hashing;

/// <summary>docs/nix-formats.md §1.5–§1.7: <c>Hash::parseAny</c> and the printing forms.</summary>
public sealed class HashParsingTests
{
    public static TheoryData<int> Rows => new(Enumerable.Range(0, OutputHashTable.Rows.Length));

    [Theory]
    [MemberData(nameof(Rows))]
    public void Output_hash_table_row(int row)
    {
        var (algo, hash, path, error) = OutputHashTable.Rows[row];
        if (path is not null)
        {
            Assert.Equal(path, OutputHashTable.OutPath(algo, hash));
        }
        else
        {
            var e = Assert.Throws<NixFormatException>(() => OutputHashTable.OutPath(algo, hash));
            Assert.Equal("hash", e.Format);
        }
    }

    [Fact]
    public void Type_errors_name_the_problem()
    {
        var noType = Assert.Throws<NixFormatException>(() => NixHash.Parse(OutputHashTable.Hex));
        Assert.Contains("does not include a type, nor is the type otherwise known from context", noType.Message, StringComparison.Ordinal);
        var wrongType = Assert.Throws<NixFormatException>(() => NixHash.Parse("sha256-" + OutputHashTable.Base64, HashAlgorithmKind.Sha512));
        Assert.Contains("should have type 'sha512'", wrongType.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<NixFormatException>(() => NixHash.Parse("sha384:" + OutputHashTable.Hex));
        Assert.Contains("unknown hash algorithm", unknown.Message, StringComparison.Ordinal);
        var length = Assert.Throws<NixFormatException>(() => NixHash.Parse("sha256:abc"));
        Assert.Contains("wrong length", length.Message, StringComparison.Ordinal);
        Assert.Equal(7, length.Position);
    }

    [Fact]
    public void Colon_is_looked_for_before_dash()
    {
        // "sha256-…:…" splits at the colon, so the prefix is "sha256-…", not an algorithm.
        Assert.Throws<NixFormatException>(() => NixHash.Parse("sha256-" + OutputHashTable.Base64 + ":x"));
        // A dash after a colon is part of the body, which then has the wrong length.
        Assert.Throws<NixFormatException>(() => NixHash.Parse("sha256:-" + OutputHashTable.Hex));
    }

    [Fact]
    public void Base16_error_points_at_the_bad_digit()
    {
        var text = "sha256:" + OutputHashTable.Hex[..5] + "x" + OutputHashTable.Hex[6..];
        var e = Assert.Throws<NixFormatException>(() => NixHash.Parse(text));
        Assert.Equal(7 + 5, e.Position);
    }

    [Fact]
    public void Empty_hash_is_the_all_zero_digest_when_the_type_is_known()
    {
        var zero = NixHash.ParseAllowEmpty("", HashAlgorithmKind.Sha256);
        Assert.Equal("sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", zero.ToSri());
        Assert.Equal(NixHash.Zero(HashAlgorithmKind.Sha256), zero);
        Assert.Throws<NixFormatException>(() => NixHash.ParseAllowEmpty("", null));
        Assert.Throws<NixFormatException>(() => NixHash.Parse("", HashAlgorithmKind.Sha256));
    }

    [Theory]
    [InlineData("sha256:" + OutputHashTable.Hex)]
    [InlineData("sha256-" + OutputHashTable.Base64)]
    [InlineData("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ")]
    public void Output_tuple_hashes_take_no_prefix_and_no_sri(string text)
    {
        // A .drv output tuple is read with parseNonSRIUnprefixed: Nix 2.8 reports these as wrong length.
        var e = Assert.Throws<NixFormatException>(() => NixHash.ParseUnprefixed(text, HashAlgorithmKind.Sha256));
        Assert.Contains("wrong length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Printing_forms_of_section_1_7()
    {
        var narHash = NixHash.Parse("sha256:1xngcmsdkdvaycaqjfzvq4gr3gib56p2l8illglnsqzhpss47pxz");
        Assert.Equal("sha256:1xngcmsdkdvaycaqjfzvq4gr3gib56p2l8illglnsqzhpss47pxz", narHash.ToString());

        var helloNar = NixHash.Parse("0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969", HashAlgorithmKind.Sha256);
        Assert.Equal("sha256-CkMIecJm+LV/QJKg+TXPP6zUi7zN5XYNR0jKQFFx6Wk=", helloNar.ToSri());
        Assert.Equal("0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa", helloNar.ToNix32());
        Assert.Equal("sha256:0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969", helloNar.ToString(HashEncoding.Base16, true));

        // ca strings use nix32 for every algorithm, md5 included.
        Assert.Equal("4jqlbi14cxf6wpcajbphm40hax", NixHash.Parse("md5:5d41402abc4b2a76b9719d911017c592").ToNix32());
    }

    [Fact]
    public void Equality_is_by_algorithm_and_digest()
    {
        var a = NixHash.Parse("sha256:" + OutputHashTable.Hex);
        var b = NixHash.Parse("sha256-" + OutputHashTable.Base64);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, NixHash.Zero(HashAlgorithmKind.Sha256));
        Assert.False(a.Equals(null));
        Assert.True(NixHash.TryParse("sha256:" + OutputHashTable.Nix32Text, null, out var parsed));
        Assert.Equal(a, parsed);
        Assert.False(NixHash.TryParse("sha256:" + OutputHashTable.Nix32Text[1..], null, out var none));
        Assert.Null(none);
    }
}
