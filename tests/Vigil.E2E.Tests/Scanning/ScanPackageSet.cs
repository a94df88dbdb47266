using System.Globalization;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// A nixpkgs-shaped package set of any size for the scanner: <c>n</c> packages <c>pNNNN</c>, each
/// depending on package <c>i/3</c> (so shared FODs are reached by many attributes at different
/// depths) and on a stdenv named only inside a string (as nixpkgs' setup hook is), whose
/// <c>bootstrap-tools</c> FOD every package reaches. Package <c>i</c> fetches its source by kind
/// <c>i mod 6</c>: builtin:fetchurl, nixpkgs-fetchurl-shaped with a mirrors-list and
/// <c>mirror://gnu</c> URLs, fetchgit-like (url + rev, recursive), fetchzip-like
/// (<c>mirror://sourceforge</c>, recursive), <c>&lt;nix/fetchurl.nix&gt;</c>, and fetchurl plus a
/// cargo-vendor FOD whose input is the source FOD. The fetchers' own tools are built from FODs
/// (curl from a builtin tarball, git from a fetchurl one that needs curl), so FODs are inputs of
/// FODs. Every seventh package pulls a patch FOD only through string interpolation; there are
/// twin FODs (same name and hash, different URLs), an FOD as a top-level attribute, an alias
/// (a second attribute for package 1), and two broken attributes. <c>bump</c> ("7 100") gives those packages a new version, as a routine
/// nixpkgs update would.
/// </summary>
public static class ScanPackageSet
{
    public const string Text = """
        { n ? "40", bump ? "", port ? "8080", seed ? "s1" }:
        let
          count = builtins.fromJSON n;
          system = "x86_64-linux";
          base = "http://127.0.0.1:${port}";
          h = x: builtins.hashString "sha256" "${seed}-${x}";
          bumped = builtins.filter builtins.isString (builtins.split " " bump);
          pad = i: let s = toString i; in builtins.substring 0 (4 - builtins.stringLength s) "0000" + s;
          version = i: if builtins.elem (toString i) bumped then "1.${toString i}.1" else "1.${toString i}.0";
          mirrorsList = derivation {
            name = "mirrors-list"; inherit system; builder = "/bin/sh"; args = [ "-c" "echo > $out" ];
            gnu = [ "${base}/gnu/" "http://127.0.0.2/gnu/" ];
            sourceforge = [ "${base}/sf/" "http://127.0.0.3/sf/" ];
            hashedMirrors = [ "http://tarballs.example/" ];
          };
          builtinFetch = name: derivation {
            inherit name; builder = "builtin:fetchurl"; system = "builtin";
            url = "${base}/${name}"; urls = [ "${base}/${name}" ];
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = h name;
            unpack = false; executable = false;
          };
          coreFetch = name: import <nix/fetchurl.nix> { url = "${base}/core/${name}"; sha256 = h name; };
          bootstrapTools = builtinFetch "bootstrap-tools.tar.xz";
          stdenv = derivation { name = "stdenv"; inherit system; builder = "/bin/sh"; args = [ "-c" "tar xf ${bootstrapTools}; echo > $out" ]; };
          mk = name: attrs: derivation ({ inherit name system; builder = "/bin/sh"; args = [ "-c" "source ${stdenv}/setup; genericBuild" ]; } // attrs);
          curl = mk "curl-8.0" { src = builtinFetch "curl-8.0.tar.gz"; };
          fetchurl = { name, urls, hash ? h name, recursive ? false, postFetch ? "" }: mk name {
            inherit urls postFetch; nativeBuildInputs = [ curl ]; mirrorsFile = mirrorsList;
            outputHashMode = if recursive then "recursive" else "flat"; outputHashAlgo = "sha256"; outputHash = hash;
            nixpkgsVersion = "25.05"; preferLocalBuild = true; showURLs = false;
          };
          fetchzip = args: fetchurl (args // { recursive = true; postFetch = "unpackFile $downloadedFile"; });
          git = mk "git-2.40" { src = fetchurl { name = "git-2.40.tar.xz"; urls = [ "mirror://gnu/git/git-2.40.tar.xz" ]; }; };
          fetchgit = { name, url, rev }: mk name {
            inherit url rev; nativeBuildInputs = [ git ]; fetchSubmodules = false;
            outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = h "${url}@${rev}";
          };
          cargoVendor = { name, src }: mk "${name}-vendor.tar.gz" {
            inherit src; nativeBuildInputs = [ curl ];
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = h "${name}-vendor";
          };
          sourceOf = i: v: let k = i - (i / 6) * 6; p = "p${pad i}"; in
            if k == 0 then builtinFetch "${p}-${v}.tar.gz"
            else if k == 1 then fetchurl { name = "${p}-${v}.tar.gz"; urls = [ "mirror://gnu/${p}/${p}-${v}.tar.gz" "${base}/direct/${p}-${v}.tar.gz" ]; }
            else if k == 2 then fetchgit { name = "${p}-${v}-src"; url = "${base}/git/${p}.git"; rev = builtins.hashString "sha1" "${p}-${v}"; }
            else if k == 3 then fetchzip { name = "source"; urls = [ "mirror://sourceforge/${p}/${p}-${v}.zip" ]; hash = h "${p}-${v}.zip"; }
            else if k == 4 then coreFetch "${p}-${v}.tar.bz2"
            else fetchurl { name = "${p}-${v}.tar.gz"; urls = [ "${base}/crates/${p}-${v}.tar.gz" ]; };
          pkg = i: let v = version i; src = sourceOf i v; k = i - (i / 6) * 6; in mk "p${pad i}-${v}" ({
            inherit src;
            buildInputs = if i == 0 then [ ] else [ (builtins.elemAt pkgs (i / 3)) ];
          } // (if k == 5 then { cargoDeps = cargoVendor { name = "p${pad i}-${v}"; inherit src; }; } else { })
            // (if i - (i / 7) * 7 == 3 then { postPatch = "patch -p1 < ${fetchurl { name = "p${pad i}-fix.patch"; urls = [ "${base}/patches/p${pad i}-${v}.patch" ]; }}"; } else { }));
          pkgs = builtins.genList pkg count;
        in builtins.listToAttrs (builtins.genList (i: { name = "p${pad i}"; value = builtins.elemAt pkgs i; }) count) // {
          alias01 = builtins.elemAt pkgs 1;
          twinA = mk "twin-a" { src = fetchurl { name = "twin.tar.gz"; urls = [ "${base}/good/twin.tar.gz" ]; hash = h "twin"; }; };
          twinB = mk "twin-b" { src = fetchurl { name = "twin.tar.gz"; urls = [ "${base}/evil/twin.tar.gz" ]; hash = h "twin"; }; };
          interp = mk "interp" { postInstall = "cp ${builtinFetch "only-in-a-string.txt"} $out/share"; };
          fodRoot = fetchgit { name = "fod-root"; url = "${base}/git/root.git"; rev = "0123456789abcdef0123456789abcdef01234567"; };
          broken = throw "broken: this package is marked broken";
          depBroken = mk "dep-broken" { src = throw "a dependency is broken"; };
        }
        """;

    /// <summary>The base URL every generated URL starts with (the default <c>port</c>).</summary>
    public const string Base = "http://127.0.0.1:8080";

    /// <summary>Failing attributes and a fragment of Nix's message for each.</summary>
    public static readonly IReadOnlyDictionary<string, string> Failures = new Dictionary<string, string>
    {
        ["broken"] = "broken: this package is marked broken",
        ["depBroken"] = "a dependency is broken",
    };

    public static string Package(int i) => "p" + i.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Every attribute that evaluates to a derivation, for <paramref name="n"/> packages.</summary>
    public static IReadOnlyList<string> GoodAttrs(int n) =>
        [.. Enumerable.Range(0, n).Select(Package), "alias01", "twinA", "twinB", "interp", "fodRoot"];

    /// <summary>Writes the set as <c>scan.nix</c> into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory)
    {
        var file = Path.Combine(directory, "scan.nix");
        File.WriteAllText(file, Text);
        return file;
    }
}
