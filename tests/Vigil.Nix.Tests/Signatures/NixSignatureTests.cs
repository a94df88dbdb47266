using Vigil.Nix.Signatures;

namespace Vigil.Nix.Tests.Signatures;

public sealed class NixSignatureTests
{
    [Fact]
    public void Parses_and_prints_a_signature_Nix_wrote()
    {
        var signature = NixSignature.Parse(NixKeyVectors.WithRefTest1Signature);

        Assert.Equal("test-1", signature.KeyName);
        Assert.Equal(64, signature.Bytes.Length);
        Assert.Equal(NixKeyVectors.WithRefTest1Signature, signature.ToString());
        Assert.Equal(signature, NixSignature.Parse(signature.ToString()));
    }

    [Fact]
    public void A_public_key_parses_and_prints_the_same_text()
    {
        var key = NixPublicKey.Parse(NixKeyVectors.AKeyPublic + "\n");

        Assert.Equal("a-key", key.Name);
        Assert.Equal(NixKeyVectors.AKeyPublic, key.ToString());
    }

    [Theory]
    [InlineData("", 0, "no colon")]
    [InlineData("test-1", 0, "no colon")]
    [InlineData(":aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==", 0, "empty key name")]
    [InlineData("te\tst:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==", 2, "illegal character")]
    [InlineData("test-1:", 7, "88 base64 characters")]
    [InlineData("test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw", 7, "88 base64 characters")]
    [InlineData("test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==\n", 7, "88 base64 characters")]
    [InlineData("test-1:kQwLRp4u5zj+mkZe1tgebqefaOKunkV515vZcQxi71U=", 7, "88 base64 characters")]
    [InlineData("test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMC===", 92, "where base64 is expected")]
    [InlineData("test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWb-MCw==", 89, "where base64 is expected")]
    [InlineData("test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCx==", 92, "not canonical")]
    [InlineData("test-1:aOwig6aCPYD/9ls9D1pK YY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==", 27, "where base64 is expected")]
    public void Malformed_signatures_are_rejected_with_the_position(string text, int position, string reason)
    {
        var e = Assert.Throws<NixFormatException>(() => NixSignature.Parse(text));

        Assert.Equal("signature", e.Format);
        Assert.Equal(position, e.Position);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.False(NixSignature.TryParse(text, out _));
    }

    [Theory]
    [InlineData("a-key:B2GeKgKbOnP6Fgom2xHtg1PMJbRg/4C2qMwP3v4U/dk")]
    [InlineData("a-key:B2GeKgKbOnP6Fgom2xHtg1PMJbRg/4C2qMwP3v4U/dl=")]
    [InlineData("a-key:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==")]
    [InlineData("a-key B2GeKgKbOnP6Fgom2xHtg1PMJbRg/4C2qMwP3v4U/dk=")]
    public void Malformed_public_keys_are_rejected(string text)
    {
        var e = Assert.Throws<NixFormatException>(() => NixPublicKey.Parse(text));

        Assert.Equal("signature", e.Format);
    }

    [Fact]
    public void Over_long_input_is_rejected_before_decoding()
    {
        var e = Assert.Throws<NixFormatException>(() => NixSignature.Parse(new string('a', 5000) + ":x"));

        Assert.Contains("limit", e.Reason, StringComparison.Ordinal);
    }
}
