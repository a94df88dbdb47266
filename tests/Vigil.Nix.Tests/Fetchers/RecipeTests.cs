using System.Text;
using System.Text.Json;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Fetchers;

/// <summary>
/// The recipe is an identity: the same fetch written differently must give the same recipe hash,
/// and any change to what is fetched must change it.
/// </summary>
public sealed class RecipeTests
{
    private static readonly NixHash Hash = NixHash.Compute(HashAlgorithmKind.Sha256, "recipe"u8);

    private readonly HandWrittenDrvs _store = new();

    private FodRecord Fod(IDictionary<string, string> env, ContentAddressMethod method = ContentAddressMethod.Flat, string name = "pkg-1.0.tar.gz", IEnumerable<string>? inputs = null, bool structured = false) =>
        Extract(_store.AddFod(name, method, Hash, env, inputs, structuredAttrs: structured));

    private FodRecord Extract(string path) => FodExtractor.Extract(FodExtractor.FromDerivation(path, _store[path], _store.Load));

    private (string Drv, string Out) Mirrors(string gnu)
    {
        var drv = _store.AddInputAddressed("mirrors-list", new Dictionary<string, string> { ["gnu"] = gnu });
        return (drv, _store.OutPath(drv));
    }

    [Fact]
    public void Url_list_whitespace_and_repeats_do_not_change_the_recipe()
    {
        var (drv, mirrors) = Mirrors("https://ftpmirror.gnu.org/");
        var records = new[]
        {
            "mirror://gnu/pkg/pkg-1.0.tar.gz https://example.org/pkg-1.0.tar.gz",
            "  mirror://gnu/pkg/pkg-1.0.tar.gz\t\thttps://example.org/pkg-1.0.tar.gz\n",
            "mirror://gnu/pkg/pkg-1.0.tar.gz https://example.org/pkg-1.0.tar.gz mirror://gnu/pkg/pkg-1.0.tar.gz",
        }.Select(urls => Fod(NixpkgsEnvs.Fetchurl(urls, Hash.ToSri(), mirrors), inputs: [drv])).ToList();

        Assert.Equal(3, records.Select(r => r.DrvPath).Distinct().Count());
        Assert.Single(records.Select(r => r.RecipeHash).Distinct());
        Assert.All(records, r => Assert.Equal(["https://ftpmirror.gnu.org/pkg/pkg-1.0.tar.gz", "https://example.org/pkg-1.0.tar.gz"], r.Urls));
    }

    [Fact]
    public void How_to_fetch_is_not_what_is_fetched()
    {
        var (drv, mirrors) = Mirrors("https://ftpmirror.gnu.org/");
        var env = NixpkgsEnvs.Fetchurl("mirror://gnu/pkg/pkg-1.0.tar.gz", Hash.ToSri(), mirrors);
        var first = Fod(env, inputs: [drv]);
        env["nativeBuildInputs"] = HandWrittenDrvs.ToolPath("curl-8.13.0-bin");
        env["nixpkgsVersion"] = "25.11";
        env["impureEnvVars"] += " NIX_MIRRORS_newsite";
        env["stdenv"] = HandWrittenDrvs.ToolPath("stdenv-linux-new");
        env["outputHash"] = Hash.ToString(HashEncoding.Nix32, includeAlgorithm: true);
        var second = Fod(env, inputs: [drv]);

        Assert.NotEqual(first.DrvPath, second.DrvPath);
        Assert.Equal(first.RecipeHash, second.RecipeHash);
    }

    [Fact]
    public void A_new_mirror_list_changes_the_urls_but_not_the_recipe()
    {
        var (oldDrv, oldMirrors) = Mirrors("https://ftpmirror.gnu.org/");
        var (newDrv, newMirrors) = Mirrors("https://ftpmirror.gnu.org/ https://mirrors.kernel.org/gnu/");
        var before = Fod(NixpkgsEnvs.Fetchurl("mirror://gnu/pkg/pkg-1.0.tar.gz", Hash.ToSri(), oldMirrors), inputs: [oldDrv]);
        var after = Fod(NixpkgsEnvs.Fetchurl("mirror://gnu/pkg/pkg-1.0.tar.gz", Hash.ToSri(), newMirrors), inputs: [newDrv]);

        Assert.Equal(before.RecipeHash, after.RecipeHash);
        Assert.Single(before.Urls);
        Assert.Equal(2, after.Urls.Count);
    }

    [Fact]
    public void Structured_attrs_and_plain_env_give_the_same_recipe()
    {
        var plain = Fod(new Dictionary<string, string>
        {
            ["urls"] = "https://a.example/x https://b.example/x",
            ["outputHash"] = Hash.ToSri(),
            ["postFetch"] = "gunzip $out",
            ["executable"] = "1",
        }, ContentAddressMethod.Recursive);
        var json = JsonSerializer.Serialize(new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["builder"] = "/bin/sh",
            ["executable"] = true,
            ["name"] = "pkg-1.0.tar.gz",
            ["outputHash"] = Hash.ToSri(),
            ["postFetch"] = "gunzip $out",
            ["system"] = "x86_64-linux",
            ["urls"] = new[] { "https://a.example/x", "https://b.example/x" },
        });
        var structured = Fod(new Dictionary<string, string> { ["__json"] = json }, ContentAddressMethod.Recursive, structured: true);

        Assert.NotEqual(plain.DrvPath, structured.DrvPath);
        Assert.Equal(plain.Fetcher, structured.Fetcher);
        Assert.Equal(plain.Urls, structured.Urls);
        Assert.Equal(plain.Recipe, structured.Recipe);
        Assert.Equal(plain.RecipeHash, structured.RecipeHash);
    }

    [Theory]
    [InlineData("urls", "https://example.org/pkg-1.0.tar.gz", "https://evil.example/pkg-1.0.tar.gz")]
    [InlineData("urls", "https://a.example/x https://b.example/x", "https://b.example/x https://a.example/x")]
    [InlineData("postFetch", "", "echo pwned > $out")]
    [InlineData("downloadToTemp", "", "1")]
    [InlineData("executable", "", "1")]
    [InlineData("curlOpts", "", "-H Accept:application/octet-stream")]
    public void Changing_what_is_fetched_changes_the_recipe(string key, string before, string after)
    {
        var (drv, mirrors) = Mirrors("https://ftpmirror.gnu.org/");
        var env = NixpkgsEnvs.Fetchurl("https://example.org/pkg-1.0.tar.gz", Hash.ToSri(), mirrors);
        env[key] = before;
        var first = Fod(env, inputs: [drv]);
        env[key] = after;
        var second = Fod(env, inputs: [drv]);

        Assert.Equal(first.OutputPath, second.OutputPath);
        Assert.NotEqual(first.RecipeHash, second.RecipeHash);
    }

    [Fact]
    public void Changing_the_git_revision_or_checkout_changes_the_recipe()
    {
        var a = Fod(NixpkgsEnvs.Fetchgit("https://example.org/r.git", "1111111111111111111111111111111111111111", Hash.ToSri()), ContentAddressMethod.Recursive, "source");
        var b = Fod(NixpkgsEnvs.Fetchgit("https://example.org/r.git", "2222222222222222222222222222222222222222", Hash.ToSri()), ContentAddressMethod.Recursive, "source");
        var c = Fod(NixpkgsEnvs.Fetchgit("https://example.org/r.git", "1111111111111111111111111111111111111111", Hash.ToSri(), submodules: true), ContentAddressMethod.Recursive, "source");

        Assert.Equal(3, new[] { a.RecipeHash, b.RecipeHash, c.RecipeHash }.Distinct().Count());
    }

    [Fact]
    public void Recipe_strings_are_escaped_canonically()
    {
        var text = new StringBuilder();
        RecipeBuilder.WriteString(text, "q\"b\\n\nr\rt\tb\bf\fc\u0001d\u007fé😀\ud800x");

        Assert.Equal("\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\fc\\u0001d\u007fé😀\\ud800x\"", text.ToString());
    }

    [Fact]
    public void Recipe_keys_are_sorted_and_empty_values_omitted()
    {
        var recipe = new RecipeBuilder();
        recipe.Add("urls", [], always: true);
        recipe.Add("rev", (string?)null);
        recipe.AddFlag("recursive", false);
        recipe.Add("options", new SortedList<string, string>(StringComparer.Ordinal) { ["b"] = "2", ["a"] = "1" });
        recipe.Add("fetcher", "git");
        recipe.Add("ignoredUrls", Array.Empty<string>());

        Assert.Equal("""{"fetcher":"git","options":{"a":"1","b":"2"},"urls":[]}""", recipe.Build());
    }

    [Fact]
    public void Script_digest_blanks_store_path_hash_parts_only()
    {
        var a = ScriptDigest.Of("/nix/store/0c5b8vw40dy178xlpddw65q9gf1h2186-patchutils-0.4.2/bin/lsdiff $out");
        var b = ScriptDigest.Of("/nix/store/1b8m03r63zqhnjf7l5wnldhh7c134ap5-patchutils-0.4.2/bin/lsdiff $out");
        var c = ScriptDigest.Of("/nix/store/1b8m03r63zqhnjf7l5wnldhh7c134ap5-patchutils-0.4.3/bin/lsdiff $out");
        var notAPath = ScriptDigest.Of("/tmp/0c5b8vw40dy178xlpddw65q9gf1h2186x $out");
        var notAPath2 = ScriptDigest.Of("/tmp/1b8m03r63zqhnjf7l5wnldhh7c134ap5x $out");

        Assert.Equal(a, b);
        Assert.NotEqual(b, c);
        Assert.NotEqual(notAPath, notAPath2);
    }
}
