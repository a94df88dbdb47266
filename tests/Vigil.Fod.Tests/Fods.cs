using System.Security.Cryptography;
using System.Text;
using Vigil.Data;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;

namespace Vigil.Fod.Tests;

/// <summary>
/// Synthetic FOD records with Nix's identities: the output path depends only on name, mode and
/// hash (as makeFixedOutputPath), the drv path on everything, the recipe hash on what is fetched.
/// </summary>
internal static class Fods
{
    public static StoredFod Make(
        string attr, string name, string content, params string[] urls) =>
        Make([attr], name, content, "flat", urls, null, FetcherKind.Fetchurl);

    public static StoredFod Make(
        IReadOnlyList<string> attrs, string name, string content, string mode, IReadOnlyList<string> urls, string? rev, FetcherKind fetcher)
    {
        var hash = NixHash.Compute(HashAlgorithmKind.Sha256, Encoding.UTF8.GetBytes(content));
        var recipe = $"{{\"fetcher\":\"{FetcherKinds.Name(fetcher)}\",\"urls\":[{string.Join(",", urls.Select(u => "\"" + u + "\""))}]{(rev is null ? "" : ",\"rev\":\"" + rev + "\"")}}}";
        var recipeHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipe)));
        var outputPath = StorePath($"out:{name}:{mode}:{hash.ToSri()}", name);
        var drvPath = StorePath($"drv:{outputPath}:{recipe}", name + ".drv");
        var record = new FodRecord(drvPath, outputPath, name, HashAlgorithmKind.Sha256, mode, hash.ToSri(), hash.ToBase16(), fetcher, urls, rev, recipe, recipeHash);
        return new StoredFod(record, attrs, attrs.Count);
    }

    public static string StorePath(string key, string name) =>
        "/nix/store/" + Nix32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 20)) + "-" + name;

    /// <summary>The same FOD reached by other attributes.</summary>
    public static StoredFod ReachedBy(this StoredFod fod, params string[] attrs) => new(fod.Fod, attrs, attrs.Length);
}
