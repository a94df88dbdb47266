using System.Text;
using CsCheck;
using Vigil.Fod.Scanning;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Text;

namespace Vigil.Fod.Tests.Scanning;

/// <summary>
/// A scan makes an FOD's record from what <see cref="DrvSkim"/> read of the file when it can; that
/// record must be the one the full reader's derivation gives, and anything the skim is not sure of
/// must go to the full reader. Checked on generated FODs written as Nix writes them, and on
/// mutations of them.
/// </summary>
public sealed class DrvSkimTests
{
    private const string Nix32 = "0123456789abcdfghijklmnpqrsvwxyz";

    private static readonly string MirrorsListDrv = "/nix/store/" + new string('m', 32) + "-mirrors-list.drv";

    private static readonly string MirrorsListOut = "/nix/store/" + new string('n', 32) + "-mirrors-list";

    private static readonly Gen<string> HashPart = Gen.Int[0, Nix32.Length - 1].Array[32].Select(a => new string(a.Select(i => Nix32[i]).ToArray()));

    private static readonly Gen<string> Name = Gen.OneOf("hello-2.12.tar.gz", "source", "musl-compat.patch", "vendor-1.0", "x", "mirrors-list");

    private static Gen<string> StorePath(string suffix) => Gen.Select(HashPart, Name, (h, n) => $"/nix/store/{h}-{n}{suffix}");

    /// <summary>Text with the bytes the writer escapes, and non-ASCII, drawn often.</summary>
    private static readonly Gen<string> Text = Gen.Frequency(
            (6, Gen.Char['a', 'z']),
            (2, Gen.OneOf('"', '\\', '\n', '\r', '\t', ' ', '/', ':', 'é', '\u00ff')))
        .Array[0, 30].Select(c => new string(c));

    private static readonly Gen<string> Plain = Gen.Char['a', 'z'].Array[1, 12].Select(c => new string(c));

    /// <summary>Builder arguments: escapes in them are rare in real FODs, and send the file to the full reader.</summary>
    private static readonly Gen<string> Arg = Gen.Frequency((8, Gen.OneOf("-e", "/nix/store/qzai4q7cp9c4v9rmr108aq3vjmniabfq-builder.sh")), (1, Text));

    private static readonly Gen<string> Url = Gen.Select(Gen.OneOf("https://example.org/", "mirror://gnu/", "http://ftp.x/", "https://github.com/o/r/archive/"), Name, (b, n) => b + n);

    private static readonly Gen<(string Key, string Value)> EnvEntry = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("url", "urls", "rev", "fetcher", "name", "executable", "unpack", "postFetch", "curlOpts", "downloadToTemp", "src", "patches", "buildCommand", "githubBase", "mirrorsFile"),
            Gen.Frequency((3, Url), (2, Text), (1, Gen.Select(Url, Url, (a, b) => a + " " + b))), (k, v) => (k, v))),
        (1, Gen.Select(Gen.Frequency((4, Plain), (1, Text)).Where(t => t.Length > 0), Text, (k, v) => (k, v))));

    private static readonly Gen<(Derivation Drv, string Path)> Fod = Gen.Select(
            Gen.Select(Gen.OneOf(HashAlgorithmKind.Sha256, HashAlgorithmKind.Sha1, HashAlgorithmKind.Sha512), Gen.Bool, Gen.Byte.Array[64], Gen.Int[0, 2]),
            Gen.Select(StorePath(".drv").Array[0, 3], Gen.Bool, StorePath("").Array[0, 2], StorePath(".drv").Array[0, 1]),
            Gen.Select(Gen.OneOf("builtin:fetchurl", "/bin/sh", "/nix/store/x-bash/bin/bash"), Gen.OneOf("x86_64-linux", "builtin"), Arg.Array[0, 2]),
            EnvEntry.Array[0, 12],
            StorePath(".drv"),
            StorePath(""),
            (hash, inputs, head, env, drvPath, outPath) =>
            {
                var (algo, recursive, digest, spelling) = hash;
                var nixHash = new NixHash(algo, digest.AsSpan(0, algo.DigestSize()));
                var hashText = spelling switch { 0 => nixHash.ToBase16(), 1 => nixHash.ToNix32(), _ => nixHash.ToBase64() };
                var (drvs, withMirrors, srcs, drvSrcs) = inputs;
                var inputDrvs = drvs.Select(d => d.Replace("-mirrors-list.drv", "-other.drv", StringComparison.Ordinal))
                    .Concat(withMirrors ? new[] { MirrorsListDrv } : Array.Empty<string>())
                    .Distinct().Order(StringComparer.Ordinal)
                    .Select(d => new InputDerivation(d, ["out"])).ToArray();
                var (builder, platform, args) = head;
                var entries = env.Concat([("builder", builder), ("out", outPath), ("outputHash", hashText)])
                    .DistinctBy(e => e.Item1)
                    .Select(e => new EnvVariable(Encoding.UTF8.GetBytes(e.Item1), Encoding.UTF8.GetBytes(e.Item2)))
                    .OrderBy(e => e.Key, ByteStrings.Comparer).ToArray();
                var drv = new Derivation(
                    drvPath[(drvPath.IndexOf('-', StringComparison.Ordinal) + 1)..^4],
                    [new DerivationOutput("out", outPath, (recursive ? "r:" : "") + algo.Name(), hashText)],
                    inputDrvs,
                    srcs.Concat(drvSrcs).Distinct().Order(StringComparer.Ordinal).ToArray(),
                    Encoding.UTF8.GetBytes(platform),
                    Encoding.UTF8.GetBytes(builder),
                    args.Select(Encoding.UTF8.GetBytes).ToArray(),
                    entries);
                return (drv, drvPath);
            });

    /// <summary>The mirror list both readers are given: one site, so mirror:// URLs expand.</summary>
    private static Derivation? LoadInput(string path) => path != MirrorsListDrv ? null : new Derivation(
        "mirrors-list",
        [new DerivationOutput("out", MirrorsListOut, "", "")],
        [],
        [],
        "x86_64-linux"u8.ToArray(),
        "/bin/sh"u8.ToArray(),
        [],
        [new EnvVariable("gnu"u8.ToArray(), "https://ftpmirror.gnu.org/ https://ftp.nluug.nl/gnu/"u8.ToArray())]);

    /// <summary>The full reader's record and inputs (as the walk lists them), or null when it rejects the file.</summary>
    private static (FodRecord? Fod, List<string> Inputs)? Full(byte[] aterm, string path)
    {
        Derivation drv;
        try
        {
            drv = ATermReader.Parse(aterm, ATermReader.NameFromPath(path), StoreDir.Default);
        }
        catch (NixFormatException)
        {
            return null;
        }
        var inputs = drv.InputDerivations.Select(i => i.Path).Concat(drv.InputSources.Where(s => s.EndsWith(".drv", StringComparison.Ordinal))).ToList();
        return (drv.IsFixedOutput ? FodExtractor.Extract(FodExtractor.FromDerivation(path, drv, LoadInput)) : null, inputs);
    }

    /// <summary>The skim's record and inputs; null when it leaves the file to the full reader.</summary>
    private static (FodRecord? Fod, List<string> Inputs)? Skim(byte[] aterm, string path)
    {
        var inputs = new List<string>();
        var fields = new FodFields { File = aterm };
        if (!DrvSkim.TryRead(aterm, StoreDir.Default, inputs, fields, out var maybeFixedOutput))
        {
            return null;
        }
        if (!maybeFixedOutput)
        {
            return (null, inputs);
        }
        return fields.TryExtract(path, inputs, LoadInput) is { } fod ? (fod, inputs) : null;
    }

    private static string Describe(FodRecord? fod) => fod is null ? "not an FOD" : string.Join("\n",
        fod.DrvPath, fod.OutputPath, fod.Name, fod.Algorithm, fod.HashMode, fod.HashSri, fod.OriginalHash, fod.Fetcher,
        string.Join(' ', fod.Urls), fod.Rev ?? "(no rev)", fod.Recipe, fod.RecipeHash);

    [Fact]
    public void The_skim_gives_the_full_readers_record_for_FODs_as_Nix_writes_them()
    {
        var skimmed = 0;
        var total = 0;
        Fod.Sample(((Derivation Drv, string Path) c) =>
        {
            var aterm = ATermWriter.Write(c.Drv);
            var full = Full(aterm, c.Path);
            Assert.NotNull(full);
            Assert.NotNull(full.Value.Fod);
            var skim = Skim(aterm, c.Path);
            Interlocked.Increment(ref total);
            if (skim is { } s)
            {
                Interlocked.Increment(ref skimmed);
                Assert.Equal(Describe(full.Value.Fod), Describe(s.Fod));
                Assert.Equal(full.Value.Inputs, s.Inputs);
            }
        }, iter: 3000);
        // Escapes in the args or in an env key (drawn in about a fifth of the cases) send a file on.
        Assert.True(skimmed > total / 2, $"the skim read {skimmed} of {total} generated FODs");
    }

    [Fact]
    public void Whatever_the_skim_accepts_of_a_mutated_FOD_the_full_reader_reads_the_same()
    {
        var mutation = Gen.Select(Fod, Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.OneOf((byte)'"', (byte)'\\', (byte)',', (byte)'(', (byte)')', (byte)']', (byte)'[', (byte)'a', (byte)0, (byte)'/'));
        mutation.Sample(c =>
        {
            var ((drv, path), kind, where, b) = c;
            var aterm = ATermWriter.Write(drv).ToList();
            var at = where % aterm.Count;
            switch (kind)
            {
                case 0: aterm[at] = b; break;
                case 1: aterm.Insert(at, b); break;
                case 2: aterm.RemoveAt(at); break;
                case 3: aterm.RemoveRange(at, aterm.Count - at); break;
                default: (aterm[at], aterm[(at + 7) % aterm.Count]) = (aterm[(at + 7) % aterm.Count], aterm[at]); break;
            }
            var bytes = aterm.ToArray();
            var full = Full(bytes, path);
            switch (Skim(bytes, path))
            {
                case { Fod: not null } s:
                    Assert.True(full is not null, $"the skim made a record of what the full reader rejects: {Encoding.UTF8.GetString(bytes)}");
                    Assert.Equal(Describe(full.Value.Fod), Describe(s.Fod));
                    Assert.Equal(full.Value.Inputs, s.Inputs);
                    break;
                case { Fod: null }:
                    // Not an FOD to the skim (whose read of other derivations is lenient): never one to the full reader.
                    Assert.True(full?.Fod is null, $"the skim missed an FOD: {Encoding.UTF8.GetString(bytes)}");
                    break;
            }
        }, iter: 20000);
    }
}
