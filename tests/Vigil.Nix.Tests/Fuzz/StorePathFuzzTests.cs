using CsCheck;
using Vigil.Nix.Derivations;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Fuzz;

/// <summary>Store path parsing against a direct statement of the Nix 2.8 rules (§2.1, §2.8).</summary>
public sealed class StorePathFuzzTests
{
    private const string NameChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._?=";

    internal static readonly Gen<string> HashPart = Gen.Char[Nix32.Alphabet].Array[32].Select(c => new string(c));

    internal static readonly Gen<string> Name = Gen.Frequency(
        (8, Gen.Char[NameChars].Array[1, 20].Select(c => new string(c))),
        (1, Gen.Char[NameChars].Array[200, 211].Select(c => new string(c))),
        (1, Gen.OneOf(".", "..", ".-a", "..-", ".gitignore")));

    internal static readonly Gen<string> BaseName = Gen.Select(HashPart, Name).Select((h, n) => h + "-" + n);

    /// <summary>The rules, stated once more without the library: hash part, dash, name.</summary>
    private static bool IsValidBaseName(string s) =>
        s.Length >= 33
        && s.AsSpan(0, 32).IndexOfAnyExcept(Nix32.Alphabet) < 0
        && s[32] == '-'
        && s.Length - 33 is >= 1 and <= 211
        && s.AsSpan(33).IndexOfAnyExcept(NameChars) < 0;

    private static readonly Gen<char> Noise = Gen.Char["/-.eotuAZ_ é\0\n" + Nix32.Alphabet];

    private static readonly Gen<string> MutatedBaseName = Gen.Select(BaseName, Gen.Select(Gen.Int[0, 3], Gen.Int[0, 260], Noise).Array[1, 3])
        .Select((b, edits) =>
        {
            var s = b;
            foreach (var (kind, at, c) in edits)
            {
                var i = Math.Min(at, s.Length);
                s = kind switch
                {
                    0 when i < s.Length => s[..i] + c + s[(i + 1)..],
                    1 => s[..i] + c + s[i..],
                    2 when i < s.Length => s[..i] + s[(i + 1)..],
                    _ => s[..i],
                };
            }
            return s;
        });

    [Fact]
    public void Base_names_are_accepted_exactly_by_the_rules()
    {
        Gen.OneOf(BaseName, MutatedBaseName, Gen.String[0, 60]).Sample(s =>
        {
            var parsed = ParserGuard.Accepts(() => StorePath.ParseBaseName(s), () => ParserGuard.Show(s));
            Assert.Equal(IsValidBaseName(s), parsed);
            if (parsed)
            {
                var p = StorePath.ParseBaseName(s);
                Assert.Equal(s, p.BaseName);
                Assert.Equal(s[..32], p.HashPart.ToString());
                Assert.Equal(s[33..], p.Name.ToString());
            }
        }, iter: 20000);
    }

    [Fact]
    public void Full_paths_are_the_store_dir_and_a_base_name()
    {
        var full = Gen.OneOf(
            BaseName.Select(b => "/nix/store/" + b),
            MutatedBaseName.Select(b => "/nix/store/" + b),
            BaseName.Select(b => "/nix/store/" + b + "/bin"),
            BaseName.Select(b => "/gnu/store/" + b),
            Gen.String[0, 60]);
        full.Sample(s =>
        {
            var ok = ParserGuard.Accepts(() => StoreDir.Default.Parse(s), () => ParserGuard.Show(s));
            // A '/' anywhere after the store dir is a subpath.
            var expected = s.StartsWith("/nix/store/", StringComparison.Ordinal) && IsValidBaseName(s["/nix/store/".Length..])
                && !s.AsSpan("/nix/store/".Length).Contains('/');
            Assert.Equal(expected, ok);
            Assert.Equal(ok, StoreDir.Default.TryParse(s, out var p));
            if (ok)
            {
                Assert.Equal(s, StoreDir.Default.Print(p));
            }
        }, iter: 20000);
    }

    [Fact]
    public void Names_are_checked_exactly_by_the_rules()
    {
        Gen.OneOf(Name, Gen.String[0, 230], Gen.Char[NameChars].Array[205, 215].Select(c => new string(c))).Sample(name =>
        {
            var valid = name.Length is >= 1 and <= 211 && name.AsSpan().IndexOfAnyExcept(NameChars) < 0;
            Assert.Equal(valid, StorePathName.Check(name) is null);
            Assert.Equal(valid, ParserGuard.Accepts(() => StorePathName.Validate(name), () => ParserGuard.Show(name)));
            if (StorePathName.Check(name) is { } error)
            {
                Assert.InRange(error.Position, 0, Math.Max(0, name.Length));
            }
        }, iter: 5000);
    }

    [Fact]
    public void Drv_names_come_from_drv_paths_or_are_rejected()
    {
        Gen.OneOf(
            BaseName.Select(b => "/nix/store/" + b + ".drv"),
            MutatedBaseName.Select(b => b + ".drv"),
            Gen.String[0, 45],
            Gen.String[0, 45].Select(s => s + ".drv")).Sample(path =>
        {
            var name = ParserGuard.Run(() => ATermReader.NameFromPath(path), () => ParserGuard.Show(path));
            if (name is not null)
            {
                Assert.NotEmpty(name);
                Assert.EndsWith(name + ".drv", path, StringComparison.Ordinal);
            }
        }, iter: 5000);
    }

    [Fact]
    public void Made_paths_parse_back()
    {
        Gen.Select(Name, Gen.Byte.Array[32]).Sample((name, digest) =>
        {
            var path = StoreDir.Default.MakeTextPath(name, digest, null);
            Assert.Equal(path, StoreDir.Default.Parse(StoreDir.Default.Print(path)));
            Assert.Equal(name, path.Name.ToString());
        }, iter: 2000);
    }
}
