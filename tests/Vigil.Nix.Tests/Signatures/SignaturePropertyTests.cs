using CsCheck;
using Vigil.Nix.Signatures;

namespace Vigil.Nix.Tests.Signatures;

public sealed class SignaturePropertyTests
{
    [Fact]
    public void Sign_then_verify_holds_and_any_changed_bit_breaks_it()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[0, 200], Gen.Int[0, 10_000]).Sample((seed, data, flip) =>
        {
            using var key = NixSigningKey.FromSeed("prop-1", seed);
            var signature = key.Sign(data);
            var keys = new TrustedKeys([key.PublicKey]);
            Assert.Equal(SignatureStatus.Valid, keys.Check(data, signature.ToString()));
            Assert.Equal(signature, NixSignature.Parse(signature.ToString()));
            Assert.Equal(key.PublicKey, NixPublicKey.Parse(key.PublicKey.ToString()));

            var bit = flip % ((data.Length + NixSignature.Size) * 8);
            if (bit < data.Length * 8)
            {
                var changed = (byte[])data.Clone();
                changed[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(SignatureStatus.Invalid, keys.Check(changed, signature));
            }
            else
            {
                var bytes = signature.Bytes.ToArray();
                bit -= data.Length * 8;
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(SignatureStatus.Invalid, keys.Check(data, new NixSignature("prop-1", bytes)));
            }
        }, iter: 500);
    }

    private static readonly string[] Seeds = [NixKeyVectors.Test1Secret, NixKeyVectors.Test1Public, NixKeyVectors.WithRefTest1Signature, NixKeyVectors.AKeyPublic];

    private static readonly Gen<(int Kind, int At, char Value)> GenEdit =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 200], Gen.Char["AZaz09+/=:- \n\t\u0000é😀"]);

    private static string Apply(string text, (int Kind, int At, char Value)[] edits)
    {
        var chars = new List<char>(text);
        foreach (var (kind, at0, value) in edits)
        {
            var at = chars.Count == 0 ? 0 : at0 % chars.Count;
            switch (kind)
            {
                case 0 when chars.Count > 0: chars[at] = value; break;
                case 1 when chars.Count > 0: chars.RemoveAt(at); break;
                case 2: chars.Insert(at, value); break;
                case 3: chars.RemoveRange(at, chars.Count - at); break;
            }
        }
        return new string([.. chars]);
    }

    [Fact]
    public void Mutated_keys_and_signatures_only_ever_fail_with_NixFormatException()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], GenEdit.Array[1, 3]).Sample((seed, edits) =>
        {
            var text = Apply(Seeds[seed], edits);
            Parses(() => NixSignature.Parse(text));
            Parses(() => NixPublicKey.Parse(text));
            Parses(() => { using var key = NixSigningKey.Parse(text); });
            Parses(() => TrustedKeys.Parse(text));
            Assert.True(Enum.IsDefined(TrustedKeys.Parse(NixKeyVectors.Test1Public).Check("x"u8, text)));
        }, iter: 5_000);
    }

    private static void Parses(Action parse)
    {
        try
        {
            parse();
        }
        catch (NixFormatException e)
        {
            Assert.Equal("signature", e.Format);
        }
    }
}
