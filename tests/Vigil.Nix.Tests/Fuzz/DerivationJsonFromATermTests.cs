using System.Buffers;
using CsCheck;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.Fuzz;

/// <summary>
/// <see cref="DerivationJson.TryAddFromATerm"/> (the fast path of <c>vigil drv show</c>) against
/// the parser and <see cref="DerivationJson.Add"/>: whatever it accepts, the parser accepts too,
/// and both print the same bytes and name the same inputs to follow.
/// </summary>
public sealed class DerivationJsonFromATermTests
{
    private static readonly byte[][] Real = Fixtures.DrvFiles.Select(Fixtures.Read).ToArray();

    private const string DrvPath = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-x.drv";

    /// <summary>True when the fast path took the input; then asserts it agrees with the parser.</summary>
    private static bool Agrees(byte[] aterm, string name)
    {
        var fast = new ArrayBufferWriter<byte>();
        var inputs = new List<string>();
        // It returns false on bad input, never throws (a NixFormatException would come back as null here).
        var accepted = ParserGuard.Run<object>(
            () => new DerivationJson(fast, StoreDir.Default).TryAddFromATerm(DrvPath, aterm, name, inputs),
            () => ParserGuard.Show(aterm)) is true;
        var parsed = ParserGuard.Run(() => ATermReader.Parse(aterm, name), () => ParserGuard.Show(aterm));
        if (!accepted)
        {
            return false;
        }
        Assert.True(parsed is not null, $"the fast path accepted what the parser rejects: {ParserGuard.Show(aterm)}");
        var slow = new ArrayBufferWriter<byte>();
        new DerivationJson(slow, StoreDir.Default).Add(DrvPath, parsed);
        Assert.Equal(slow.WrittenSpan, fast.WrittenSpan);
        var expected = parsed.InputDerivations.Select(i => i.Path)
            .Concat(parsed.InputSources.Where(s => s.EndsWith(".drv", StringComparison.Ordinal)));
        Assert.Equal(expected, inputs);
        return true;
    }

    [Fact]
    public void Fixtures_written_by_Nix_take_the_fast_path_and_print_as_the_parser()
    {
        foreach (var file in Fixtures.DrvFiles)
        {
            var bytes = Fixtures.Read(file);
            var taken = Agrees(bytes, ATermReader.NameFromPath(file));
            // Only an escaped environment key (one fixture has `key"q`) sends Nix's own form to the parser.
            Assert.True(taken || bytes.AsSpan().IndexOf((byte)'\\') >= 0, file);
        }
    }

    [Fact]
    public void Generated_derivations_print_as_the_parser_whenever_the_fast_path_takes_them()
    {
        var taken = 0;
        var total = 0;
        DerivationModels.Derivation.Sample(drv =>
        {
            Interlocked.Increment(ref total);
            if (Agrees(ATermWriter.Write(drv), drv.Name))
            {
                Interlocked.Increment(ref taken);
            }
        }, iter: 3000, print: drv => ParserGuard.Show(ATermWriter.Write(drv)));
        // An escaped environment key sends a derivation to the parser; about 13% of generated ones
        // have none (382-398 of 3000 in six runs). The bound is five standard deviations below that
        // binomial mean for the number actually drawn (CsCheck_Time changes it; 3000 gives 298):
        // it fails when the fast path stops being taken, not by the luck of a seed.
        var sd = Math.Sqrt(total * 0.13 * 0.87);
        Assert.True(taken > total * 0.13 - 5 * sd, $"only {taken} of {total} took the fast path");
    }

    [Fact]
    public void Mutated_fixtures_are_taken_only_when_the_parser_takes_them_too()
    {
        Gen.Select(Gen.Int[0, Real.Length - 1], ATermFuzzTests.Edit.Array[1, 6]).Sample((index, edits) =>
        {
            Agrees(ATermFuzzTests.Apply(Real[index], edits), "fuzz");
        }, iter: 20000);
    }

    [Fact]
    public void No_strict_prefix_of_a_fixture_is_taken()
    {
        foreach (var bytes in Real)
        {
            for (var n = 0; n < bytes.Length; n++)
            {
                Assert.False(Agrees(bytes[..n], "fuzz"));
            }
        }
    }

    [Fact]
    public void Unsorted_or_escaped_forms_go_to_the_parser()
    {
        // Env keys out of order, an escaped key, an escaped output name: all valid, none canonical.
        string[] valid =
        [
            """Derive([("out","","","")],[],[],"x","b",[],[("b","1"),("a","2")])""",
            """Derive([("out","","","")],[],[],"x","b",[],[("a\"","1")])""",
            """Derive([("o\ut","","","")],[],[],"x","b",[],[])""",
        ];
        foreach (var text in valid)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            Assert.NotNull(ATermReader.Parse(bytes, "x"));
            Assert.False(Agrees(bytes, "x"));
        }
        // Escaped values and arguments are the fast path's own business.
        Assert.True(Agrees("""Derive([("out","","","")],[],[],"x","b\n\\",["a\"\t\r\q"],[("a","\u0001 \"")])"""u8.ToArray(), "x"));
    }
}
