using System.Numerics;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.Tests.Hashing;

/// <summary>docs/nix-formats.md §1.3 and the nix32 vectors of §1.9.</summary>
public sealed class Nix32VectorTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("1f", "0z")]
    [InlineData("8a12321522fd91efbd60ebb2481af88580f61600", "00bgd045z0d4icpbc2yyz4gx48ak44la")]
    [InlineData("b3a24de97a8fdbc835b9833169501030b8977031bcb54b3b3ac13740f846ab30", "0c5b8vw40dy178xlpddw65q9gf1h2186jcc3p4swinwggbllv8mk")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic")]
    public void Encodes_and_decodes(string hex, string nix32)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Equal(nix32, Nix32.Encode(bytes));
        Assert.Equal(bytes, Nix32.Decode(nix32, bytes.Length));

        var utf8 = new byte[nix32.Length];
        Nix32.EncodeUtf8(bytes, utf8);
        Assert.Equal(nix32, System.Text.Encoding.ASCII.GetString(utf8));
    }

    [Theory]
    [InlineData("zz", 1)]
    [InlineData("c0", 1)]
    public void Rejects_bits_beyond_the_value(string text, int byteCount)
    {
        Assert.False(Nix32.TryDecode(text, new byte[byteCount]));
        var e = Assert.Throws<NixFormatException>(() => Nix32.Decode(text, byteCount));
        Assert.Equal("nix32", e.Format);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0zz")]
    public void Rejects_lengths_no_digest_has(string text)
    {
        for (var n = 0; n <= 64; n++)
        {
            Assert.NotEqual(text.Length, Nix32.EncodedLength(n));
            Assert.False(Nix32.TryDecode(text, new byte[n]));
            Assert.Throws<NixFormatException>(() => Nix32.Decode(text, n));
        }
    }

    [Fact]
    public void Sha256_first_digit_must_be_0_or_1()
    {
        var digest = new byte[32];
        Assert.False(Nix32.TryDecode("z94qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", digest));
        Assert.False(Nix32.TryDecode("294qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", digest));
        Assert.Throws<NixFormatException>(() => NixHash.Parse("sha256:294qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic"));

        // '1' sets only the top bit of the little-endian integer: bit 7 of the last byte.
        var one = Nix32.Decode("194qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", 32);
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98a4", Convert.ToHexStringLower(one));
    }

    [Fact]
    public void Rejects_uppercase_and_the_four_missing_letters()
    {
        var valid = "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic";
        Assert.True(Nix32.TryDecode(valid, new byte[32]));
        foreach (var bad in "eoutAEZ-_ /é")
        {
            var text = valid[..10] + bad + valid[11..];
            Assert.False(Nix32.TryDecode(text, new byte[32]));
            var e = Assert.Throws<NixFormatException>(() => Nix32.Decode(text, 32));
            Assert.Equal(10, e.Position);
        }
    }

    [Fact]
    public void Alphabet_is_digits_then_letters_without_e_o_u_t()
    {
        Assert.Equal("0123456789abcdfghijklmnpqrsvwxyz", Nix32.Alphabet);
        for (var c = 0; c < 256; c++)
        {
            Assert.Equal(Nix32.Alphabet.Contains((char)c, StringComparison.Ordinal), Nix32.IsDigit((byte)c));
        }
    }

    /// <summary>The "easier statement" of §1.3: the little-endian integer in base 32, most significant digit first.</summary>
    [Fact]
    public void Equals_the_little_endian_integer_in_base_32()
    {
        var random = new Random(1234);
        foreach (var size in new[] { 1, 2, 3, 5, 16, 20, 32, 64 })
        {
            for (var i = 0; i < 50; i++)
            {
                var bytes = new byte[size];
                random.NextBytes(bytes);
                var n = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
                var length = Nix32.EncodedLength(size);
                var chars = new char[length];
                for (var k = length - 1; k >= 0; k--)
                {
                    chars[k] = Nix32.Alphabet[(int)(n % 32)];
                    n /= 32;
                }
                Assert.Equal(new string(chars), Nix32.Encode(bytes));
            }
        }
    }
}
