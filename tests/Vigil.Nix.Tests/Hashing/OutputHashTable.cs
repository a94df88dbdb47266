using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Hashing;

/// <summary>
/// docs/nix-formats.md §1.6 (plus §1.5 edge cases): <c>outputHashAlgo</c>/<c>outputHash</c> pairs
/// given to the derivation primop (name <c>hello.txt</c>, flat), and the output path or error Nix 2.8
/// gives. Shared by the pure tests and the oracle test that re-runs each row through real Nix.
/// </summary>
internal static class OutputHashTable
{
    public const string Hex = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    public const string Nix32Text = "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic";
    public const string Base64 = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
    public const string HelloPath = "/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt";

    /// <summary>(outputHashAlgo or null when absent, outputHash, expected path or null, expected error text or null).</summary>
    public static readonly (string? Algo, string Hash, string? Path, string? Error)[] Rows =
    [
        ("sha256", Hex, HelloPath, null),
        ("sha256", Hex.ToUpperInvariant(), HelloPath, null),
        ("sha256", Nix32Text, HelloPath, null),
        ("sha256", Base64, HelloPath, null),
        ("sha256", "sha256:" + Nix32Text, HelloPath, null),
        ("sha256", "sha256-" + Base64, HelloPath, null),
        ("sha256", "sha256-" + Base64.TrimEnd('='), HelloPath, null),
        ("", "sha256-" + Base64, HelloPath, null),
        (null, "sha256:" + Hex, HelloPath, null),
        (null, "sha256:" + Base64, HelloPath, null),
        // §1.5: the base64 decoder stops at the first '=' and skips newlines.
        (null, "sha256-" + Base64 + "trailing", HelloPath, null),
        (null, "sha256-" + Base64[..20] + "\n" + Base64[20..], HelloPath, null),
        (null, Hex, null, "does not include a type"),
        ("sha512", "sha256-" + Base64, null, "should have type 'sha512'"),
        ("SHA256", Hex, null, "does not include a type"),
        ("sha256", "", "/nix/store/d085blb3pin9zb3xkg8mzvngxzfwynff-hello.txt", null),
        ("sha1", "", "/nix/store/9ypa2bqphf1s2g25cb176vwxy7akdkis-hello.txt", null),
        ("md5", "5d41402abc4b2a76b9719d911017c592", "/nix/store/kckpqk5dy7g82i6w9vjmp4n2ilz1m9sk-hello.txt", null),
        // §1.5 rejections: unknown prefix, wrong length, bad digits, SRI of the wrong size.
        (null, "sha384:" + Hex, null, "unknown hash algorithm"),
        ("sha256", Hex[..63], null, "wrong length"),
        ("sha256", "g" + Hex[1..], null, "invalid base-16"),
        ("sha256", "e" + Nix32Text[1..], null, "invalid base-32"),
        (null, "sha256-" + Base64[..40], null, "invalid SRI"),
        (null, "sha256-" + Base64.Replace('+', '.'), null, "invalid character in Base64"),
    ];

    /// <summary>What the primop does with the pair: <c>newHashAllowEmpty(hash, parseHashTypeOpt(algo))</c>.</summary>
    public static string OutPath(string? algo, string hash)
    {
        HashAlgorithmKind? known = algo is not null && HashAlgorithms.TryParse(algo, out var a) ? a : null;
        var parsed = NixHash.ParseAllowEmpty(hash, known);
        return StoreDir.Default.Print(StoreDir.Default.MakeFixedOutputPath(ContentAddressMethod.Flat, parsed, "hello.txt"));
    }

    /// <summary>A Nix string literal: escapes quote, backslash, "${" and newline.</summary>
    public static string NixString(string s) =>
        "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("${", "\\${", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    /// <summary>The Nix expression of a row: the output path of a flat <c>hello.txt</c> FOD.</summary>
    public static string Expression(string? algo, string hash)
    {
        var algoAttr = algo is null ? "" : $"outputHashAlgo = {NixString(algo)}; ";
        return $"(derivation {{ name = \"hello.txt\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; outputHashMode = \"flat\"; {algoAttr}outputHash = {NixString(hash)}; }}).outPath";
    }
}
