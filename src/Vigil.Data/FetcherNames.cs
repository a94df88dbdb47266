using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>
/// The stable names the <c>fods.fetcher</c> column stores: enum member names would tie the schema
/// to C# spelling, so a renamed member cannot silently orphan stored rows.
/// </summary>
internal static class FetcherNames
{
    public static string Name(FetcherKind kind) => kind switch
    {
        FetcherKind.BuiltinFetchurl => "builtin-fetchurl",
        FetcherKind.Fetchurl => "fetchurl",
        FetcherKind.Fetchzip => "fetchzip",
        FetcherKind.GitHub => "github",
        FetcherKind.GitLab => "gitlab",
        FetcherKind.Git => "git",
        FetcherKind.Patch => "patch",
        FetcherKind.Crate => "crate",
        FetcherKind.CargoVendor => "cargo-vendor",
        FetcherKind.GoModules => "go-modules",
        FetcherKind.NpmDeps => "npm-deps",
        FetcherKind.YarnDeps => "yarn-deps",
        FetcherKind.PnpmDeps => "pnpm-deps",
        FetcherKind.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "fetcher kind without a stored name"),
    };

    public static FetcherKind Parse(string name) => name switch
    {
        "builtin-fetchurl" => FetcherKind.BuiltinFetchurl,
        "fetchurl" => FetcherKind.Fetchurl,
        "fetchzip" => FetcherKind.Fetchzip,
        "github" => FetcherKind.GitHub,
        "gitlab" => FetcherKind.GitLab,
        "git" => FetcherKind.Git,
        "patch" => FetcherKind.Patch,
        "crate" => FetcherKind.Crate,
        "cargo-vendor" => FetcherKind.CargoVendor,
        "go-modules" => FetcherKind.GoModules,
        "npm-deps" => FetcherKind.NpmDeps,
        "yarn-deps" => FetcherKind.YarnDeps,
        "pnpm-deps" => FetcherKind.PnpmDeps,
        "other" => FetcherKind.Other,
        _ => throw new InvalidDataException($"stored fetcher '{name}' is not one this Vigil knows"),
    };
}
