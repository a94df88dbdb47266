using System.Text;
using CsCheck;
using Vigil.Nix.Hashing;
using Vigil.Nix.NarInfo;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.NarInfo;

public sealed class NarInfoPropertyTests
{
    private const string NameChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._?=";

    /// <summary>Pieces rather than chars, so that a non-BMP character is never split into a lone surrogate.</summary>
    private static readonly string[] TextPieces =
        [.. " !\"#$%&'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~\t\u0000\ré€".Select(c => c.ToString()), "😀", ": ", "Sig: "];

    private static readonly Gen<string> GenText =
        Gen.Int[0, TextPieces.Length - 1].Array[0, 24].Select(ix => string.Concat(ix.Select(i => TextPieces[i])));

    private static readonly Gen<StorePath> GenStorePath =
        Gen.Select(Gen.Byte.Array[StorePath.DigestSize], Gen.Char[NameChars].Array[1, 40], (digest, name) => StorePath.FromDigest(digest, new string(name)));

    private static readonly Gen<NixHash> GenHash =
        Gen.Int[0, 3].SelectMany(a => Gen.Byte.Array[((HashAlgorithmKind)a).DigestSize()].Select(d => new NixHash((HashAlgorithmKind)a, d)));

    private static readonly Gen<string> GenContentAddress = Gen.Select(GenHash, Gen.Int[0, 2], Gen.Int[0, 2], (hash, method, encoding) =>
    {
        var text = hash.ToString((HashEncoding)encoding, includeAlgorithm: false);
        return method switch
        {
            0 => "text:sha256:" + NixHash.Compute(HashAlgorithmKind.Sha256, hash.Digest).ToString((HashEncoding)encoding, includeAlgorithm: false),
            1 => "fixed:" + hash.Algorithm.Name() + ":" + text,
            _ => "fixed:r:" + hash.Algorithm.Name() + ":" + text,
        };
    });

    private static readonly Gen<NarInfoField> GenExtraField = Gen.Select(
        Gen.Char["ABCXYZabcxyz019-_."].Array[1, 12].Select(c => "X" + new string(c)), GenText, (name, value) => new NarInfoField(name, value));

    private static Gen<T?> Optional<T>(Gen<T> gen) where T : class => Gen.Bool.SelectMany(present => present ? gen.Select(v => (T?)v) : Gen.Const((T?)null));

    private static readonly Gen<NarInfoFile> GenNarInfo =
        Gen.Select(
            Gen.Select(GenStorePath, GenText.Where(u => u.Length > 0), Optional(GenText), Optional(GenHash), Gen.Int[0, 3], Gen.ULong, Gen.Bool),
            Gen.Select(GenHash, Gen.Int[0, 3], Gen.ULong[1, ulong.MaxValue], GenStorePath.Array[0, 6], Gen.Bool, GenStorePath, Optional(GenText)),
            Gen.Select(GenText.Array[0, 4], Optional(GenContentAddress), GenExtraField.Array[0, 3]),
            (a, b, c) => new NarInfoFile
            {
                StorePath = a.Item1,
                Url = a.Item2,
                Compression = a.Item3,
                FileHash = a.Item4,
                FileHashEncoding = (HashEncoding)a.Item5,
                FileSize = a.Item7 ? a.Item6 : null,
                NarHash = b.Item1,
                NarHashEncoding = (HashEncoding)b.Item2,
                NarSize = b.Item3,
                References = b.Item4.DistinctBy(r => r.BaseName).ToArray(),
                Deriver = b.Item5 ? b.Item6 : null,
                System = b.Item7,
                Signatures = c.Item1.Distinct(StringComparer.Ordinal).ToArray(),
                ContentAddress = c.Item2,
                ExtraFields = c.Item3,
            });

    [Fact]
    public void Anything_written_reads_back_equal_and_writes_the_same_bytes()
    {
        GenNarInfo.Sample(info =>
        {
            var bytes = info.ToBytes();
            var parsed = NarInfoFile.Parse(bytes);
            Assert.Equal(info, parsed);
            Assert.Equal(bytes, parsed.ToBytes());
        }, iter: 3_000);
    }

    private static readonly byte[][] Seeds = NixNarInfoVectors.ByName.Values.Select(Encoding.UTF8.GetBytes).ToArray();

    private static readonly byte[][] Tokens =
        [.. new[] { ":", ": ", " ", "\n", "sha256:", "sha256-", "md5:", "Sig: ", "NarSize: ", "References: ", "CA: ", "fixed:r:", "text:", "0", "99999999999999999999", "/nix/store/", "=", "-" }
            .Select(Encoding.UTF8.GetBytes), [0xFF], [0xC3], [0xE2, 0x82], [0x00]];

    /// <summary>(kind, position, byte or token index): one edit of the kind a corrupt download or a hostile cache makes.</summary>
    private static readonly Gen<(int Kind, int At, int Value)> GenEdit = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 1000], Gen.Int[0, 255]);

    private static byte[] Apply(byte[] input, (int Kind, int At, int Value)[] edits)
    {
        var bytes = new List<byte>(input);
        foreach (var (kind, at0, value) in edits)
        {
            var at = bytes.Count == 0 ? 0 : at0 % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0: bytes[at] = (byte)value; break;
                case 1 when bytes.Count > 0: bytes.RemoveAt(at); break;
                case 2: bytes.Insert(at, (byte)value); break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, Tokens[value % Tokens.Length]); break;
                case 5 or 6 when bytes.Count > 0:
                    var start = bytes.LastIndexOf((byte)'\n', at) + 1;
                    var end = bytes.IndexOf((byte)'\n', at);
                    end = end < 0 ? bytes.Count : end + 1;
                    var line = bytes.GetRange(start, end - start);
                    if (kind == 5)
                    {
                        bytes.RemoveRange(start, end - start);
                    }
                    else
                    {
                        bytes.InsertRange(end, line);
                    }
                    break;
            }
        }
        return [.. bytes];
    }

    [Fact]
    public void Mutated_narinfos_only_ever_fail_with_NixFormatException()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], GenEdit.Array[1, 4]).Sample((seed, edits) =>
        {
            var input = Apply(Seeds[seed], edits);
            NarInfoFile parsed;
            try
            {
                parsed = NarInfoFile.Parse(input);
            }
            catch (NixFormatException e)
            {
                Assert.Equal("narinfo", e.Format);
                Assert.InRange(e.Position, 0, input.Length);
                return;
            }
            // Whatever is accepted can be written, and writing is a fixed point.
            var written = parsed.ToBytes();
            Assert.Equal(parsed, NarInfoFile.Parse(written));
            Assert.Equal(written, NarInfoFile.Parse(written).ToBytes());
        }, iter: 20_000);
    }

    [Fact]
    public void Truncated_narinfos_fail_cleanly_unless_cut_after_a_line()
    {
        foreach (var seed in Seeds)
        {
            for (var length = 0; length < seed.Length; length++)
            {
                if (length > 0 && seed[length - 1] == (byte)'\n')
                {
                    // Cut between lines: valid if the required fields came first, as in Nix.
                    try
                    {
                        NarInfoFile.Parse(seed.AsSpan(0, length));
                    }
                    catch (NixFormatException e)
                    {
                        Assert.StartsWith("missing required field", e.Reason, StringComparison.Ordinal);
                    }
                    continue;
                }
                var error = Assert.Throws<NixFormatException>(() => NarInfoFile.Parse(seed.AsSpan(0, length)));
                Assert.InRange(error.Position, 0, length);
            }
        }
    }

    [Fact]
    public void Random_bytes_only_ever_fail_with_NixFormatException()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            try
            {
                NarInfoFile.Parse(bytes);
            }
            catch (NixFormatException)
            {
            }
        }, iter: 5_000);
    }
}
