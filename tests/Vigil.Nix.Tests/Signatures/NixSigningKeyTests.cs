using System.Text;
using Vigil.Nix.Signatures;

namespace Vigil.Nix.Tests.Signatures;

public sealed class NixSigningKeyTests
{
    [Fact]
    public void A_secret_key_from_Nix_has_the_public_key_Nix_wrote()
    {
        using var key = NixSigningKey.Parse(NixKeyVectors.Test1Secret);

        Assert.Equal("test-1", key.Name);
        Assert.Equal(NixKeyVectors.Test1Public, key.PublicKey.ToString());
        Assert.Equal(NixKeyVectors.Test1Secret, key.ExportSecretKey());
    }

    [Fact]
    public void Signing_a_fingerprint_gives_the_signature_Nix_made()
    {
        using var key = NixSigningKey.Parse(NixKeyVectors.Test1Secret);

        var signature = key.Sign(Encoding.UTF8.GetBytes(NixKeyVectors.WithRefFingerprint));

        Assert.Equal(NixKeyVectors.WithRefTest1Signature, signature.ToString());
    }

    [Theory]
    [InlineData("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    public void Rfc8032_vectors(string seed, string publicKey, string message, string signature)
    {
        using var key = NixSigningKey.FromSeed("rfc8032", Convert.FromHexString(seed));

        var signed = key.Sign(Convert.FromHexString(message));

        Assert.Equal(publicKey, Convert.ToHexStringLower(key.PublicKey.Bytes));
        Assert.Equal(signature, Convert.ToHexStringLower(signed.Bytes));
        Assert.True(key.PublicKey.Verify(Convert.FromHexString(message), signed));
    }

    [Fact]
    public void A_generated_key_exports_as_text_that_parses_to_the_same_key()
    {
        using var key = NixSigningKey.Generate("vigil-1");
        var text = key.ExportSecretKey();

        using var parsed = NixSigningKey.Parse(text + "\n");

        Assert.Equal(key.PublicKey, parsed.PublicKey);
        Assert.Equal(key.Sign("data"u8), parsed.Sign("data"u8));
        Assert.DoesNotContain(text[7..], key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_key_whose_public_half_belongs_to_another_seed_is_rejected()
    {
        var test1 = Convert.FromBase64String(NixKeyVectors.Test1Secret["test-1:".Length..]);
        var aKey = Convert.FromBase64String(NixKeyVectors.AKeySecret["a-key:".Length..]);
        var mixed = "test-1:" + Convert.ToBase64String([.. test1.AsSpan(0, 32), .. aKey.AsSpan(32)]);

        var e = Assert.Throws<NixFormatException>(() => NixSigningKey.Parse(mixed));

        Assert.Equal("signature", e.Format);
        Assert.Equal("secret key's public half does not match its seed", e.Reason);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("test-1", 0)]
    [InlineData(":niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLvVQ==", 0)]
    [InlineData("test 1:niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLvVQ==", 4)]
    [InlineData("test-1:niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLvVQ", 7)]
    [InlineData("test-1:kQwLRp4u5zj+mkZe1tgebqefaOKunkV515vZcQxi71U=", 7)]
    [InlineData("test-1:niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLv_Q==", 91)]
    [InlineData("test-1:niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLvVR==", 92)]
    [InlineData(" test-1:niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLvVQ==", 0)]
    public void Malformed_secret_keys_are_rejected_without_echoing_the_secret(string text, int position)
    {
        var e = Assert.Throws<NixFormatException>(() => NixSigningKey.Parse(text));

        Assert.Equal("signature", e.Format);
        Assert.Equal(position, e.Position);
        Assert.DoesNotContain("niY1kd9w", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_that_cannot_be_listed_in_trusted_public_keys_are_refused()
    {
        Assert.Throws<ArgumentException>(() => NixSigningKey.Generate("two words"));
        Assert.Throws<ArgumentException>(() => NixSigningKey.Generate("a:b"));
        Assert.Throws<ArgumentException>(() => NixSigningKey.Generate(""));
        Assert.Throws<ArgumentException>(() => NixSigningKey.FromSeed("k", new byte[31]));
    }
}
