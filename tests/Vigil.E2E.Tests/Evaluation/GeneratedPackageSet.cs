namespace Vigil.E2E.Tests.Evaluation;

/// <summary>
/// A small package set written by the tests, shaped like nixpkgs where it matters to evaluators:
/// builtin:fetchurl and &lt;nix/fetchurl.nix&gt; FODs, nixpkgs-fetchurl-shaped FODs with a
/// mirrors-list derivation and mirror:// URLs, a stdenv and an FOD reached only through string
/// interpolation, twin FODs (same name and hash, different URLs), structured attrs, multiple
/// outputs, nested sets with recurseForDerivations, and attributes that throw (themselves, in a
/// dependency, or only in drvPath as nixpkgs' meta checks do), assert, abort and miss an attribute
/// (the last two are beyond builtins.tryEval).
/// </summary>
public static class GeneratedPackageSet
{
    public static readonly IReadOnlyList<string> GoodAttrs =
    [
        .. Enumerable.Range(1, 8).Select(i => $"builtin{i:00}"),
        .. Enumerable.Range(1, 5).Select(i => $"gnu{i:00}"),
        "sf01", "sf02", "core01", "core02", "core03", "twinA", "twinB", "interp", "structured",
        "multi", "usesDev", "fodRoot", "nested.inner1", "nested.inner2", "nested.deeper.leaf",
    ];

    /// <summary>Failing attributes and a fragment of the message Nix gives for each.</summary>
    public static readonly IReadOnlyDictionary<string, string> Failures = new Dictionary<string, string>
    {
        ["broken"] = "broken is marked broken",
        ["asserted"] = "assertion",
        ["aborted"] = "this package aborts",
        ["missingAttr"] = "attribute 'nope' missing",
        ["depThrows"] = "dependency is broken",
        ["metaBroken"] = "meta-broken is marked as broken",
        ["nested.deeper.bad"] = "deep bad",
        ["nested.deeper.alsoAborts"] = "nested abort",
    };

    public const string Text = """
        { seed ? "s1", port ? "8080" }:
        let
          system = "x86_64-linux";
          base = "http://127.0.0.1:${port}";
          h = n: builtins.hashString "sha256" "${seed}-${n}";
          mirrorsList = derivation {
            name = "mirrors-list"; inherit system; builder = "/bin/sh"; args = [ "-c" "echo > $out" ];
            gnu = [ "${base}/gnu/" "http://127.0.0.2/gnu/" ];
            sourceforge = [ "${base}/sf/" ];
            hashedMirrors = [ "http://tarballs.example/" ];
          };
          builtinFetch = n: derivation {
            name = "${n}.tar.gz"; builder = "builtin:fetchurl"; system = "builtin";
            url = "${base}/${n}.tar.gz"; urls = [ "${base}/${n}.tar.gz" ];
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = h n;
            unpack = false; executable = false;
          };
          coreFetch = n: import <nix/fetchurl.nix> { url = "${base}/core/${n}.tar.gz"; sha256 = h n; };
          fetchurl = { name, urls, hash ? h name }: derivation {
            inherit name system urls; builder = "/bin/sh"; args = [ "-e" "-c" "echo fetch" ];
            mirrorsFile = mirrorsList; outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = hash;
            postFetch = ""; preferLocalBuild = true; showURLs = false;
          };
          bootstrapTools = builtinFetch "bootstrap-tools";
          stdenv = derivation { name = "stdenv"; inherit system; builder = "/bin/sh"; args = [ "-c" "tar xf ${bootstrapTools}; echo > $out" ]; };
          pkg = name: src: extra: derivation ({
            inherit name system src; builder = "/bin/sh"; args = [ "-c" "${stdenv}/setup" ];
          } // extra);
          gnu = i: pkg "gnu${i}" (fetchurl { name = "gnu${i}.tar.gz"; urls = [ "mirror://gnu/gnu${i}/gnu${i}.tar.gz" ]; }) { };
          b = i: pkg "builtin${i}" (builtinFetch "src${i}") { };
          multi = pkg "multi" (builtinFetch "multi") { outputs = [ "out" "dev" ]; };
        in {
          builtin01 = b "01"; builtin02 = b "02"; builtin03 = b "03"; builtin04 = b "04";
          builtin05 = b "05"; builtin06 = b "06"; builtin07 = b "07"; builtin08 = b "08";
          gnu01 = gnu "01"; gnu02 = gnu "02"; gnu03 = gnu "03"; gnu04 = gnu "04"; gnu05 = gnu "05";
          sf01 = pkg "sf01" (fetchurl { name = "sf01.zip"; urls = [ "mirror://sourceforge/sf01/sf01.zip" "${base}/direct/sf01.zip" ]; }) { };
          sf02 = pkg "sf02" (fetchurl { name = "sf02.zip"; urls = [ "mirror://sourceforge/sf02.zip" ]; }) { };
          core01 = pkg "core01" (coreFetch "core01") { };
          core02 = pkg "core02" (coreFetch "core02") { };
          core03 = pkg "core03" (coreFetch "core03") { };
          twinA = pkg "twin-a" (fetchurl { name = "twin.tar.gz"; urls = [ "${base}/good/twin.tar.gz" ]; hash = h "twin"; }) { };
          twinB = pkg "twin-b" (fetchurl { name = "twin.tar.gz"; urls = [ "${base}/evil/twin.tar.gz" ]; hash = h "twin"; }) { };
          interp = derivation {
            name = "interp"; inherit system; builder = "/bin/sh";
            args = [ "-c" "cp ${builtinFetch "patch-only-in-a-string"} $out" ];
          };
          structured = derivation {
            name = "structured-src"; inherit system; builder = "/bin/sh"; __structuredAttrs = true;
            urls = [ "${base}/s/one.tar.gz" "${base}/s/two.tar.gz" ]; src = { rev = "abc"; };
            outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = h "structured";
          };
          inherit multi;
          usesDev = pkg "uses-dev" (builtinFetch "uses-dev") { buildInputs = [ multi.dev ]; };
          fodRoot = builtinFetch "fod-root";
          broken = throw "broken is marked broken";
          asserted = assert seed == "never"; pkg "asserted" (builtinFetch "asserted") { };
          aborted = abort "this package aborts";
          missingAttr = { }.nope;
          depThrows = pkg "dep-throws" (throw "dependency is broken") { };
          metaBroken = pkg "meta-broken" (builtinFetch "meta-broken") { } // { drvPath = throw "meta-broken is marked as broken"; };
          notAPackage = "just a string";
          aFunction = x: x;
          notRecursed = { x = pkg "never-seen" (builtinFetch "never-seen") { }; };
          nested = {
            recurseForDerivations = true;
            inner1 = pkg "inner1" (builtinFetch "inner1") { buildInputs = [ (pkg "hidden-dep" (builtinFetch "hidden") { }) ]; };
            inner2 = pkg "inner2" (builtinFetch "inner2") { };
            deeper = {
              recurseForDerivations = true;
              leaf = pkg "leaf" (builtinFetch "leaf") { };
              bad = throw "deep bad";
              alsoAborts = abort "nested abort";
            };
          };
        }
        """;

    /// <summary>Writes the set as <c>pkgs.nix</c> into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory)
    {
        var file = Path.Combine(directory, "pkgs.nix");
        File.WriteAllText(file, Text);
        return file;
    }
}
