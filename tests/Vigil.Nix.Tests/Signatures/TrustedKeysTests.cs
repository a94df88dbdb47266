using System.Text;
using Vigil.Nix.Signatures;

namespace Vigil.Nix.Tests.Signatures;

public sealed class TrustedKeysTests
{
    private static readonly byte[] Fingerprint = Encoding.UTF8.GetBytes(NixKeyVectors.WithRefFingerprint);

    [Fact]
    public void Parses_a_trusted_public_keys_setting()
    {
        var keys = TrustedKeys.Parse("  " + NixKeyVectors.Test1Public + "\n\t" + NixKeyVectors.AKeyPublic + " ");

        Assert.Equal(2, keys.Count);
        Assert.True(keys.TryGet("a-key", out var aKey));
        Assert.Equal(NixKeyVectors.AKeyPublic, aKey!.ToString());
        Assert.False(keys.TryGet("b-key", out _));
    }

    [Fact]
    public void Reports_the_position_of_a_bad_key_in_the_list()
    {
        var list = NixKeyVectors.Test1Public + " a-key:nope";

        var e = Assert.Throws<NixFormatException>(() => TrustedKeys.Parse(list));

        Assert.Equal(NixKeyVectors.Test1Public.Length + 1 + "a-key:".Length, e.Position);
    }

    [Fact]
    public void Two_different_keys_under_one_name_are_a_configuration_error()
    {
        var impostor = "test-1:" + NixKeyVectors.AKeyPublic["a-key:".Length..];

        Assert.Throws<NixFormatException>(() => TrustedKeys.Parse(NixKeyVectors.Test1Public + " " + impostor));
        Assert.Single(TrustedKeys.Parse(NixKeyVectors.Test1Public + " " + NixKeyVectors.Test1Public));
    }

    [Fact]
    public void Checks_each_signature_by_the_key_its_name_points_at()
    {
        var keys = TrustedKeys.Parse(NixKeyVectors.Test1Public);
        var impostor = TrustedKeys.Parse("test-1:" + NixKeyVectors.AKeyPublic["a-key:".Length..]);
        var tampered = (byte[])Fingerprint.Clone();
        tampered[^1] ^= 1;

        Assert.Equal(SignatureStatus.Valid, keys.Check(Fingerprint, NixKeyVectors.WithRefTest1Signature));
        Assert.Equal(SignatureStatus.Invalid, keys.Check(tampered, NixKeyVectors.WithRefTest1Signature));
        Assert.Equal(SignatureStatus.Invalid, impostor.Check(Fingerprint, NixKeyVectors.WithRefTest1Signature));
        Assert.Equal(SignatureStatus.UntrustedKey, TrustedKeys.Parse(NixKeyVectors.AKeyPublic).Check(Fingerprint, NixKeyVectors.WithRefTest1Signature));
        Assert.Equal(SignatureStatus.Malformed, keys.Check(Fingerprint, "test-1:AAAA"));
        Assert.True(keys.Verify(Fingerprint, NixSignature.Parse(NixKeyVectors.WithRefTest1Signature)));
    }

    [Fact]
    public void A_public_key_only_verifies_signatures_carrying_its_name()
    {
        var key = NixPublicKey.Parse(NixKeyVectors.Test1Public);
        var signature = NixSignature.Parse(NixKeyVectors.WithRefTest1Signature);
        var renamed = new NixSignature("test-2", signature.Bytes);

        Assert.True(key.Verify(Fingerprint, signature));
        Assert.False(key.Verify(Fingerprint, renamed));
    }
}
