using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using Vigil.Nix.Derivations;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Fetchers;

/// <summary>Extract is total over env values; FromDerivation fails only with NixFormatException.</summary>
public sealed class FodExtractorPropertyTests
{
    private static readonly string[] Keys =
    [
        "builder", "url", "urls", "rev", "fetcher", "postFetch", "mirrorsFile", "nixpkgsVersion", "githubBase",
        "downloadToTemp", "executable", "unpack", "outputHash", "src", "yarnLock", "buildCommand", "fetchSubmodules",
        "curlOpts", "name", "",
    ];

    /// <summary>Text that hits the classifier's shapes, glued with arbitrary characters.</summary>
    private static readonly Gen<string> Fragment = Gen.OneOf(
        Gen.String,
        Gen.Char.Array[0, 8].Select(c => new string(c)),
        Gen.OneOf(
            "builtin:fetchurl", "mirror://", "mirror://gnu/", "mirror://out", "https://github.com/", "o/r/archive/",
            ".tar.gz", "https://api.github.com/repos/", "/tarball/", "/api/v4/projects/", "/repository/archive",
            "?sha=", "&", "/-/archive/", "/crates/", "/download", ".crate", "nix-prefetch-git", "unpackFile",
            "lsdiff", "/nix/store/0c5b8vw40dy178xlpddw65q9gf1h2186-", "builder.sh", " ", "\t", "\n", "\r", "/", "://",
            "1", "", "\"", "\\", "\u0000", "\ud800", "é", "😀"));

    private static readonly Gen<string> Value = Gen.OneOf(Fragment, Fragment.Array[0, 6].Select(parts => string.Concat(parts)));

    private static readonly Gen<string> Name = Gen.OneOf(
        Value,
        Gen.OneOf("source", "offline", "npm-deps", "x-vendor", "x-go-modules", "x-pnpm-deps", "a.patch", "crate-x", "yarn"));

    private static readonly Gen<Dictionary<string, string>> Env =
        Gen.Select(Gen.OneOf(Keys), Value).Array[0, 14].Select(pairs =>
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in pairs)
            {
                env[key] = value;
            }
            return env;
        });

    private static readonly Gen<NixHash> Hash = Gen.Select(
        Gen.OneOf(HashAlgorithmKind.Md5, HashAlgorithmKind.Sha1, HashAlgorithmKind.Sha256, HashAlgorithmKind.Sha512),
        Gen.Byte.Array[0, 16],
        (algo, seed) => NixHash.Compute(algo, seed));

    private static readonly Gen<Dictionary<string, string[]>> Mirrors =
        Gen.Select(Value, Value.Array[0, 3]).Array[0, 4].Select(pairs =>
        {
            var sites = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (site, bases) in pairs)
            {
                sites[site] = bases;
            }
            return sites;
        });

    [Fact]
    public void Extract_never_throws_and_its_record_is_self_consistent()
    {
        Gen.Select(Env, Name, Hash, Gen.Bool, Mirrors).Sample((env, name, hash, recursive, mirrors) =>
        {
            var input = new FodInput(
                "/nix/store/00000000000000000000000000000000-x.drv",
                "/nix/store/00000000000000000000000000000000-x",
                name,
                recursive ? ContentAddressMethod.Recursive : ContentAddressMethod.Flat,
                hash,
                key => env.GetValueOrDefault(key),
                site => mirrors.TryGetValue(site, out var bases) ? bases : null);

            var fod = FodExtractor.Extract(input);
            var again = FodExtractor.Extract(input);

            Assert.Equal(fod.Recipe, again.Recipe);
            Assert.Equal(fod.Urls, again.Urls);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fod.Recipe))), fod.RecipeHash);
            Assert.Equal(fod.Urls.Count, fod.Urls.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(hash.ToSri(), fod.HashSri);
            Assert.Equal(env.GetValueOrDefault("outputHash") ?? hash.ToBase16(), fod.OriginalHash);
            using var recipe = JsonDocument.Parse(fod.Recipe);
            Assert.Equal(fod.Fetcher.Name(), recipe.RootElement.GetProperty("fetcher").GetString());
            if (fod.Fetcher is FetcherKind.BuiltinFetchurl)
            {
                Assert.True(fod.Urls.Count <= 1);
            }
        }, iter: 3000);
    }

    [Fact]
    public void From_derivation_over_arbitrary_structured_attrs_fails_only_with_format_errors()
    {
        var json = Gen.OneOf(
            Value,
            Gen.Select(Gen.OneOf(Keys), Value, Gen.Int[0, 3], (key, value, shape) => shape switch
            {
                0 => JsonSerializer.Serialize(new Dictionary<string, string> { [key] = value }),
                1 => JsonSerializer.Serialize(new Dictionary<string, object> { [key] = new object?[] { value, 1, true, null, new[] { value } } }),
                2 => "{\"" + key + "\":" + value + "}",
                _ => "{\"" + key + "\":{\"nested\":[" + value + "]}}",
            }));
        var hash = NixHash.Compute(HashAlgorithmKind.Sha256, "json"u8);

        json.Sample(text =>
        {
            var store = new HandWrittenDrvs();
            var path = store.AddFod("sa", ContentAddressMethod.Flat, hash, new Dictionary<string, string> { ["__json"] = text }, structuredAttrs: true);
            try
            {
                var fod = FodExtractor.Extract(FodExtractor.FromDerivation(path, store[path], store.Load));
                Assert.Equal(hash.ToSri(), fod.HashSri);
            }
            catch (NixFormatException)
            {
                // Bad JSON is reported as what it is.
            }
        }, iter: 1000);
    }

    [Fact]
    public void Expansion_without_mirror_urls_is_the_identity()
    {
        Value.Array[0, 6].Sample(words =>
        {
            var written = new List<string>();
            UrlLists.AddWords(string.Join(' ', words), written, new HashSet<string>(StringComparer.Ordinal));
            var expanded = UrlLists.Expand(written, _ => ["https://m.example/"]);

            Assert.All(written, w => Assert.False(string.IsNullOrEmpty(w) || w.AsSpan().IndexOfAny(" \t\n") >= 0));
            if (!written.Any(w => w.StartsWith("mirror://", StringComparison.Ordinal)))
            {
                Assert.Same(written, expanded);
            }
        });
    }
}
