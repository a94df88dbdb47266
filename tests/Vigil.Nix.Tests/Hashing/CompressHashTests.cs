using CsCheck;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.Tests.Hashing;

/// <summary>docs/nix-formats.md §1.8: XOR folding to 160 bits.</summary>
public sealed class CompressHashTests
{
    [Theory]
    [InlineData("1e4c5c3986dbdf92028b61ac4c05d248d8d87b8c2b1362a2d60bc1552a52295b", "355f3e9b50d01ec728d948f74c05d248d8d87b8c")]
    [InlineData("1811ca22739896e069fd6f0299519a1b5e28aeeb9ac80db8bf9f039b581851cf", "82d9c79acc07957b31e53ecd99519a1b5e28aeeb")]
    [InlineData("6055c3f2a839edfcecd3d7fc40fab1534e1e65dfe07ee2f9188e3dd5ef0fefe1", "802b210bb0b7d02903dc381d40fab1534e1e65df")]
    [InlineData("8e6b9692138f473216253da31d68a0db6d97b0284c2c6c4692d2592b9e9737d4", "c247fad4815d1e1988b20a771d68a0db6d97b028")]
    [InlineData("e26801206419c3f7c2ccc232ef37cd289862ad7214ebdb85d635cc2611dd8629", "f683daa5b22c0fd1d311441bef37cd289862ad72")]
    [InlineData("04f0c6f0c5591fb753a3491fcfa03cd40f091ebe3b8cfebbb1cdd3214f9be424", "3f7c384b7494cc961c38ad3bcfa03cd40f091ebe")]
    public void Folds_sha256_vectors(string sha256, string compressed)
    {
        var output = new byte[20];
        NixHash.Compress(Convert.FromHexString(sha256), output);
        Assert.Equal(compressed, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Sha256_folding_keeps_bytes_12_to_19_and_xors_the_rest()
    {
        Gen.Byte.Array[32].Sample(h =>
        {
            var output = new byte[20];
            NixHash.Compress(h, output);
            for (var i = 0; i < 12; i++)
            {
                Assert.Equal((byte)(h[i] ^ h[i + 20]), output[i]);
            }
            Assert.Equal(h[12..20], output[12..20]);
        }, iter: 200);
    }

    [Fact]
    public void Any_size_folds_index_modulo_output_size()
    {
        Gen.Select(Gen.Byte.Array[0, 100], Gen.Int[1, 40]).Sample((input, size) =>
        {
            var output = new byte[size];
            Array.Fill(output, (byte)0xAA); // must be cleared first
            NixHash.Compress(input, output);
            var expected = new byte[size];
            for (var i = 0; i < input.Length; i++)
            {
                expected[i % size] ^= input[i];
            }
            Assert.Equal(expected, output);
        }, iter: 200);
    }
}
