using CsCheck;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.Tests.Fuzz;

/// <summary>Properties of <see cref="Nix32"/>: a bijection between n-byte values and canonical strings.</summary>
public sealed class Nix32FuzzTests
{
    [Fact]
    public void Round_trips_every_size()
    {
        Gen.Byte.Array[0, 130].Sample(bytes =>
        {
            var text = Nix32.Encode(bytes);
            Assert.Equal(Nix32.EncodedLength(bytes.Length), text.Length);
            Assert.Equal(bytes, Nix32.Decode(text, bytes.Length));
            var decoded = new byte[bytes.Length];
            Assert.True(Nix32.TryDecode(text, decoded));
            Assert.Equal(bytes, decoded);
            var utf8 = new byte[text.Length];
            Nix32.EncodeUtf8(bytes, utf8);
            Assert.Equal(text, System.Text.Encoding.ASCII.GetString(utf8));
        }, iter: 3000);
    }

    [Fact]
    public void Every_size_up_to_130_round_trips_its_extremes()
    {
        for (var n = 0; n <= 130; n++)
        {
            foreach (var fill in new byte[] { 0x00, 0xff, 0x80, 0x01 })
            {
                var bytes = new byte[n];
                Array.Fill(bytes, fill);
                Assert.Equal(bytes, Nix32.Decode(Nix32.Encode(bytes), n));
            }
        }
    }

    /// <summary>
    /// L digits hold 5L bits, n bytes 8n; the first digit carries the 5L-8n excess bits, which must be zero.
    /// </summary>
    [Fact]
    public void Rejects_any_first_digit_with_bits_beyond_the_digest()
    {
        Gen.Byte.Array[1, 130].Select(Gen.Int[0, 31]).Sample((bytes, digit) =>
        {
            var n = bytes.Length;
            var length = Nix32.EncodedLength(n);
            var excess = (5 * length) - (8 * n);
            var text = Nix32.Alphabet[digit] + Nix32.Encode(bytes)[1..];
            var fits = digit < (1 << (5 - excess));
            Assert.Equal(fits, Nix32.TryDecode(text, new byte[n]));
            if (!fits)
            {
                Assert.Equal("nix32", Assert.Throws<NixFormatException>(() => Nix32.Decode(text, n)).Format);
            }
        }, iter: 3000);
    }

    [Fact]
    public void Arbitrary_text_is_rejected_or_decodes_to_its_canonical_value()
    {
        var text = Gen.OneOf(
            Gen.String[0, 110],
            Gen.Char[Nix32.Alphabet + "eotuAZ-\0é"].Array[0, 110].Select(c => new string(c)));
        Gen.Select(text, Gen.Int[0, 70]).Sample((s, n) =>
        {
            var destination = new byte[n];
            var ok = ParserGuard.Accepts(() =>
            {
                if (!Nix32.TryDecode(s, destination))
                {
                    throw new NixFormatException("nix32", 0, "rejected");
                }
            }, () => ParserGuard.Show(s) + $" into {n} bytes");
            if (ok)
            {
                Assert.Equal(s, Nix32.Encode(destination));
            }
            var viaDecode = ParserGuard.Run(() => Nix32.Decode(s, n), () => ParserGuard.Show(s));
            Assert.Equal(ok, viaDecode is not null);
        }, iter: 5000);
    }
}
