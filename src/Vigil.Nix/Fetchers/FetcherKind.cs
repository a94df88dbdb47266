namespace Vigil.Nix.Fetchers;

/// <summary>
/// Which fetcher produced a fixed-output derivation (docs/nix-formats.md §7). The stable
/// lowercase names (<see cref="FetcherKinds.Name"/>) are what the CLI, JSON and DB use.
/// </summary>
public enum FetcherKind
{
    /// <summary><c>builtin:fetchurl</c> (Nix's own, <c>&lt;nix/fetchurl.nix&gt;</c>): fetches env <c>url</c> only.</summary>
    BuiltinFetchurl,

    /// <summary>nixpkgs <c>fetchurl</c>: env <c>urls</c>, <c>mirror://</c> resolved through <c>mirrorsFile</c>.</summary>
    Fetchurl,

    /// <summary>nixpkgs <c>fetchzip</c> (fetchurl that unpacks, recursive).</summary>
    Fetchzip,

    /// <summary>fetchFromGitHub archive form.</summary>
    GitHub,

    /// <summary>fetchFromGitLab archive form.</summary>
    GitLab,

    /// <summary>
    /// fetchgit (and git forms of the forge fetchers): env <c>url</c> + <c>rev</c>. Other VCS fetchers
    /// with the same shape (fetchsvn, fetchhg) are reported here too: (url, rev) is their identity as well.
    /// </summary>
    Git,

    /// <summary>fetchpatch: flat hash of the normalised patch.</summary>
    Patch,

    /// <summary>fetchCrate / importCargoLock crates.</summary>
    Crate,

    /// <summary>Cargo vendor directories/tarballs (cargoHash): URLs live in Cargo.lock inside src.</summary>
    CargoVendor,

    /// <summary>buildGoModule goModules (vendorHash).</summary>
    GoModules,

    /// <summary>fetchNpmDeps.</summary>
    NpmDeps,

    /// <summary>fetchYarnDeps.</summary>
    YarnDeps,

    /// <summary>pnpm.fetchDeps.</summary>
    PnpmDeps,

    /// <summary>Anything else with a fixed output hash.</summary>
    Other,
}
