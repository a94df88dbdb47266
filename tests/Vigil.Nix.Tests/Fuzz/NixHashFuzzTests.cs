using CsCheck;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.Tests.Fuzz;

/// <summary><see cref="NixHash.Parse"/> on random and mutated input: NixFormatException or a consistent hash, nothing else.</summary>
public sealed class NixHashFuzzTests
{
    internal static readonly Gen<HashAlgorithmKind> Algo = Gen.Enum<HashAlgorithmKind>();

    internal static readonly Gen<HashAlgorithmKind?> KnownAlgo = Gen.OneOf(
        Gen.Const((HashAlgorithmKind?)null),
        Algo.Select(a => (HashAlgorithmKind?)a));

    /// <summary>A random digest of a random algorithm, spelt any way Nix accepts.</summary>
    internal static readonly Gen<(NixHash Hash, string Text, bool Prefixed)> ValidSpelling =
        Gen.Select(Algo, Gen.Byte.Array[64], Gen.Int[0, 7]).Select((algo, bytes, spelling) =>
        {
            var hash = new NixHash(algo, bytes.AsSpan(0, algo.DigestSize()));
            var name = algo.Name();
            return spelling switch
            {
                0 => (hash, hash.ToBase16(), false),
                1 => (hash, hash.ToBase16().ToUpperInvariant(), false),
                2 => (hash, hash.ToNix32(), false),
                3 => (hash, hash.ToBase64(), false),
                4 => (hash, name + ":" + hash.ToBase16(), true),
                5 => (hash, name + ":" + hash.ToNix32(), true),
                6 => (hash, hash.ToSri(), true),
                _ => (hash, hash.ToSri().TrimEnd('='), true),
            };
        });

    [Fact]
    public void Every_spelling_round_trips()
    {
        ValidSpelling.Sample(v =>
        {
            Assert.Equal(v.Hash, NixHash.Parse(v.Text, v.Hash.Algorithm));
            if (v.Prefixed)
            {
                Assert.Equal(v.Hash, NixHash.Parse(v.Text));
                Assert.Throws<NixFormatException>(() => NixHash.ParseUnprefixed(v.Text, v.Hash.Algorithm));
            }
            else
            {
                Assert.Equal(v.Hash, NixHash.ParseUnprefixed(v.Text, v.Hash.Algorithm));
                Assert.Throws<NixFormatException>(() => NixHash.Parse(v.Text));
            }
            foreach (var encoding in Enum.GetValues<HashEncoding>())
            {
                Assert.Equal(v.Hash, NixHash.Parse(v.Hash.ToString(encoding, includeAlgorithm: true)));
            }
        }, iter: 3000);
    }

    private static readonly Gen<string> HashLike = Gen.Select(
        Gen.OneOf("", "sha256:", "sha256-", "md5:", "sha1-", "sha512:", "SHA256:", "blake3-", ":", "-", "sha256"),
        Gen.Char["0123456789abcdfghijklmnpqrsvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZeotu+/=:-\n é\0"].Array[0, 140].Select(c => new string(c)))
        .Select((prefix, body) => prefix + body);

    [Fact]
    public void Random_text_is_rejected_or_parsed_consistently()
    {
        Gen.Select(Gen.OneOf(Gen.String[0, 150], HashLike), KnownAlgo).Sample((text, known) =>
        {
            var hash = ParserGuard.Run(() => NixHash.Parse(text, known), () => ParserGuard.Show(text));
            var unprefixed = known is { } k ? ParserGuard.Run(() => NixHash.ParseUnprefixed(text, k), () => ParserGuard.Show(text)) : null;
            var allowEmpty = ParserGuard.Run(() => NixHash.ParseAllowEmpty(text, known), () => ParserGuard.Show(text));
            Assert.Equal(hash is not null, NixHash.TryParse(text, known, out var viaTry));
            Assert.Equal(hash, viaTry);
            if (hash is not null)
            {
                Assert.True(known is null || hash.Algorithm == known);
                Assert.Equal(hash, NixHash.Parse(hash.ToString(HashEncoding.Base16, includeAlgorithm: true)));
                Assert.Equal(hash, allowEmpty);
            }
            if (unprefixed is not null && !text.Contains(':', StringComparison.Ordinal) && !text.Contains('-', StringComparison.Ordinal))
            {
                // Anything read without a prefix is read the same way with the type known from context.
                Assert.Equal(unprefixed, hash);
            }
        }, iter: 20000);
    }

    internal enum Mutation
    {
        Replace,
        Insert,
        Delete,
        Truncate,
        SwapCase,
    }

    internal static Gen<(Mutation Kind, int At, char C)> MutationOver(string chars) =>
        Gen.Select(Gen.Enum<Mutation>(), Gen.Int[0, 200], Gen.Char[chars]);

    private static readonly Gen<(Mutation Kind, int At, char C)> MutationGen = MutationOver("0aZz9+/=:-eé\n \0");

    internal static string Mutate(string text, (Mutation Kind, int At, char C)[] mutations)
    {
        var s = text;
        foreach (var (kind, at, c) in mutations)
        {
            var i = s.Length == 0 ? 0 : at % s.Length;
            s = kind switch
            {
                Mutation.Replace when s.Length > 0 => s[..i] + c + s[(i + 1)..],
                Mutation.Insert => s[..i] + c + s[i..],
                Mutation.Delete when s.Length > 0 => s[..i] + s[(i + 1)..],
                Mutation.Truncate => s[..i],
                Mutation.SwapCase when s.Length > 0 => s[..i] + (char.IsUpper(s[i]) ? char.ToLowerInvariant(s[i]) : char.ToUpperInvariant(s[i])) + s[(i + 1)..],
                _ => s,
            };
        }
        return s;
    }

    [Fact]
    public void Mutated_valid_hashes_are_rejected_or_parsed_consistently()
    {
        Gen.Select(ValidSpelling, MutationGen.Array[1, 4], KnownAlgo).Sample((v, mutations, known) =>
        {
            var text = Mutate(v.Text, mutations);
            var hash = ParserGuard.Run(() => NixHash.Parse(text, known ?? v.Hash.Algorithm), () => ParserGuard.Show(text));
            if (hash is not null)
            {
                Assert.Equal(hash.Digest.Length, hash.Algorithm.DigestSize());
                Assert.Equal(hash, NixHash.Parse(hash.ToSri()));
            }
        }, iter: 20000);
    }

    [Fact]
    public void Algorithm_names_parse_only_when_exact()
    {
        Gen.OneOf(Gen.String[0, 10], Gen.OneOf("md5", "sha1", "sha256", "sha512", "Sha256", "sha256 ", "sha-1")).Sample(name =>
        {
            var ok = HashAlgorithms.TryParse(name, out var algo);
            Assert.Equal(ok, name is "md5" or "sha1" or "sha256" or "sha512");
            if (ok)
            {
                Assert.Equal(name, algo.Name());
            }
            Assert.Equal(ok, ParserGuard.Accepts(() => HashAlgorithms.Parse(name), () => ParserGuard.Show(name)));
        }, iter: 2000);
    }
}
