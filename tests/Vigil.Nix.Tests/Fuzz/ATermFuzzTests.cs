using System.Text;
using CsCheck;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.Fuzz;

/// <summary>
/// <see cref="ATermReader"/> round-trips generated derivations, and on damaged real fixtures only
/// ever returns or throws <see cref="NixFormatException"/>, within a deadline.
/// </summary>
public sealed class ATermFuzzTests
{
    private static readonly byte[][] Real = Fixtures.DrvFiles.Select(Fixtures.Read).ToArray();

    [Fact]
    public void Generated_derivations_round_trip_through_writer_and_reader()
    {
        DerivationModels.Derivation.Sample(drv =>
        {
            var bytes = ATermWriter.Write(drv);
            var parsed = ATermReader.Parse(bytes, drv.Name);
            DerivationModels.AssertEqual(drv, parsed);
            Assert.Equal(bytes, ATermWriter.Write(parsed));
            DerivationPaths.DrvPath(parsed, bytes, StoreDir.Default);
        }, iter: 3000, print: drv => ParserGuard.Show(ATermWriter.Write(drv)));
    }

    /// <summary>Anything accepted must survive the writer and read back to the same bytes.</summary>
    private static void CheckAccepted(Derivation drv)
    {
        var written = ATermWriter.Write(drv);
        var again = ParserGuard.Run(() => ATermReader.Parse(written, drv.Name), () => Encoding.UTF8.GetString(written));
        Assert.NotNull(again);
        Assert.Equal(written, ATermWriter.Write(again));
    }

    private static Derivation? Parse(byte[] bytes) =>
        ParserGuard.Run(() => ATermReader.Parse(bytes, "fuzz"), () => Convert.ToHexStringLower(bytes));

    [Fact]
    public void Every_strict_prefix_of_every_fixture_is_rejected()
    {
        foreach (var bytes in Real)
        {
            for (var n = 0; n < bytes.Length; n++)
            {
                Assert.Null(Parse(bytes[..n]));
            }
            Assert.NotNull(Parse(bytes));
        }
    }

    [Fact]
    public void Every_single_byte_deletion_of_every_fixture_is_handled()
    {
        foreach (var bytes in Real)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                var mutated = new byte[bytes.Length - 1];
                bytes.AsSpan(0, i).CopyTo(mutated);
                bytes.AsSpan(i + 1).CopyTo(mutated.AsSpan(i));
                if (Parse(mutated) is { } drv)
                {
                    CheckAccepted(drv);
                }
            }
        }
    }

    private static readonly byte[][] Tokens =
    [
        "\""u8.ToArray(), "\\"u8.ToArray(), "\\\""u8.ToArray(), "("u8.ToArray(), ")"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(),
        ","u8.ToArray(), "\"\""u8.ToArray(), "[]"u8.ToArray(), "()"u8.ToArray(), "Derive("u8.ToArray(), "\"/nix/store/"u8.ToArray(),
        "r:"u8.ToArray(), "impure"u8.ToArray(), "sha256"u8.ToArray(), [0], [0xff], [0x80], "\n"u8.ToArray(), "\",\""u8.ToArray(),
        "(\"out\",\"\",\"\",\"\")"u8.ToArray(), "e"u8.ToArray(), "A"u8.ToArray(),
    ];

    internal static readonly Gen<(int Kind, int At, int Length, int Token, byte Byte)> Edit =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 1 << 20], Gen.Int[1, 40], Gen.Int[0, Tokens.Length - 1], Gen.Byte);

    internal static byte[] Apply(byte[] input, (int Kind, int At, int Length, int Token, byte Byte)[] edits)
    {
        var bytes = new List<byte>(input);
        foreach (var (kind, at, length, token, b) in edits)
        {
            var i = bytes.Count == 0 ? 0 : at % bytes.Count;
            var n = Math.Min(length, bytes.Count - i);
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[i] = b;
                    break;
                case 1:
                    bytes.InsertRange(i, Tokens[token]);
                    break;
                case 2:
                    bytes.RemoveRange(i, n);
                    break;
                case 3:
                    bytes.RemoveRange(i, bytes.Count - i);
                    break;
                case 4:
                    // Duplicate a slice: repeated tuples, lists and strings.
                    bytes.InsertRange(i, bytes.GetRange(i, n));
                    break;
                default:
                    bytes.RemoveRange(i, n);
                    bytes.InsertRange(i, Tokens[token]);
                    break;
            }
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Mutated_fixtures_only_ever_give_NixFormatException()
    {
        Gen.Select(Gen.Int[0, Real.Length - 1], Edit.Array[1, 6]).Sample((index, edits) =>
        {
            var mutated = Apply(Real[index], edits);
            if (Parse(mutated) is { } drv)
            {
                CheckAccepted(drv);
            }
        }, iter: 20000);
    }

    [Fact]
    public void Random_bytes_only_ever_give_NixFormatException()
    {
        var prefixed = Gen.Select(Gen.OneOf(""u8.ToArray(), "Derive("u8.ToArray(), "Derive(["u8.ToArray(), "Derive([(\"out\",\""u8.ToArray()), DerivationModels.Bytes)
            .Select((prefix, rest) => prefix.Concat(rest).ToArray());
        Gen.OneOf(Gen.Byte.Array[0, 300], prefixed).Sample(bytes =>
        {
            if (Parse(bytes) is { } drv)
            {
                CheckAccepted(drv);
            }
        }, iter: 10000);
    }

    [Fact]
    public void Deep_and_long_inputs_stay_bounded()
    {
        // Many list items and very long strings: linear work, no recursion, rejected or accepted quickly.
        var manyArgs = Encoding.ASCII.GetBytes("Derive([],[],[],\"\",\"\",[" + string.Join(',', Enumerable.Repeat("\"a\"", 200_000)) + "],[])");
        Assert.NotNull(Parse(manyArgs));
        var unclosed = Encoding.ASCII.GetBytes("Derive([],[],[],\"\",\"\",[" + new string('[', 500_000));
        Assert.Null(Parse(unclosed));
        var longString = Encoding.ASCII.GetBytes("Derive([],[],[],\"\",\"" + new string('\\', 1_000_001) + "\",[],[])");
        Assert.Null(Parse(longString));
    }

    [Fact]
    public void Output_tuples_from_random_fields_only_ever_give_NixFormatException()
    {
        var field = Gen.OneOf(
            Gen.String[0, 80],
            Gen.OneOf("", "r:", "sha256", "r:sha256", "md5", "r:sha1", "sha512", "impure", "/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar"),
            NixHashFuzzTests.ValidSpelling.Select(v => v.Text));
        Gen.Select(field, field, field).Sample((path, algo, hash) =>
        {
            var output = ParserGuard.Run(() => new DerivationOutput("out", path, algo, hash), () => $"({ParserGuard.Show(path)}, {ParserGuard.Show(algo)}, {ParserGuard.Show(hash)})");
            if (output is { Kind: OutputKind.Fixed })
            {
                Assert.NotNull(output.FixedHash);
                Assert.Equal(algo, output.MethodAlgo);
            }
        }, iter: 10000);
    }
}
