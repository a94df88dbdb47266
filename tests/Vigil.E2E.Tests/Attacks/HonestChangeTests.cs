using static Vigil.E2E.Tests.Attacks.AttackLab;

namespace Vigil.E2E.Tests.Attacks;

/// <summary>
/// Honest pull requests that must pass <c>vigil check-pr</c> quietly: exit 0 and nothing of
/// severity warning or error (notes such as <c>changed-fod-unverified</c> are expected). A
/// detector that cries wolf on these gets switched off, and then catches no attack at all.
/// </summary>
public sealed class HonestChangeTests
{
    private const string NoNix = "nix is not installed";

    private static readonly byte[] Release1 = Text("hello 1.0\n");
    private static readonly byte[] Release2 = Text("hello 2.0\n");

    /// <summary>
    /// A nixpkgs-shaped fetchurl (pkgs/build-support/fetchurl, as bench/pkgset/prelude.nix has it):
    /// <c>mirror://</c> URLs in env <c>urls</c>, resolved by the builder from the
    /// <c>mirrors-list</c> derivation, which holds one variable per site. Changing a mirror list
    /// changes every fetchurl drv and no output path.
    /// </summary>
    private const string NixpkgsFetchurl = """
        { mirrors }:
        let
          system = builtins.currentSystem;
          mirrorsFile = derivation ({
            name = "mirrors-list";
            inherit system;
            builder = "/bin/sh";
            args = [ "-c" "set | /bin/grep -E '^[a-zA-Z]+=.*://' > $out" ];
            preferLocalBuild = true;
          } // mirrors);
          builder = ''
            set -e
            . "$mirrorsFile"
            for url in $urls; do
              case "$url" in
                mirror://*)
                  rest="''${url#mirror://}"; site="''${rest%%/*}"; file="''${rest#*/}"
                  eval "bases=\"\$$site\""
                  for base in $bases; do
                    if /usr/bin/curl -sSf "$base$file" -o "$out"; then exit 0; fi
                  done ;;
                *) if /usr/bin/curl -sSf "$url" -o "$out"; then exit 0; fi ;;
              esac
            done
            echo "error: cannot download $name from any mirror" >&2
            exit 1
          '';
        in
        {
          fetchurl = { url, sha256, name ? baseNameOf url }: derivation {
            inherit name system mirrorsFile;
            urls = [ url ];
            nixpkgsVersion = "25.11pre-vigil-test";
            builder = "/bin/sh";
            args = [ "-c" builder ];
            outputHashMode = "flat";
            outputHashAlgo = "sha256";
            outputHash = sha256;
            preferLocalBuild = true;
          };
        }
        """;

    [Fact]
    public async Task A_version_bump_with_a_new_url_and_its_new_hash_is_clean()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        lab.Server.Serve("/hello-1.0.tar.gz", Release1);
        lab.Server.Serve("/hello-2.0.tar.gz", Release2);
        var baseFile = lab.Write("base.nix", Hello("1.0", Sri(Release1)));
        var headFile = lab.Write("head.nix", Hello("2.0", Sri(Release2)));
        var store = lab.NewStore("ci");

        await BuildOneAsync(store, baseFile, "hello");
        var head = await BuildOneAsync(store, headFile, "hello");
        Assert.Equal(Release2, await File.ReadAllBytesAsync(Path.Combine(store.OnDisk(head), "share/src")));
        Assert.True(lab.Server.WasRequested("/hello-2.0.tar.gz"));

        var check = await lab.CheckPrAsync(store, baseFile, headFile);
        check.AssertClean();
        var change = Assert.Single(check.Parsed.Changed);
        Assert.Contains("hello", change.Attrs);
        Assert.Equal(Sri(Release1), change.Base.Hash);
        Assert.Equal(Sri(Release2), change.Head.Hash);

        static string Hello(string version, string hash) => $$"""
            let inherit (import ./lib.nix) fetchurl package; in
            {
              hello = package "hello-{{version}}" (fetchurl { url = "@URL@/hello-{{version}}.tar.gz"; hash = "{{hash}}"; });
            }
            """;
    }

    [Fact]
    public async Task A_mirror_list_change_moves_every_fetchurl_drv_but_is_clean()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        lab.Server.Serve("/gnu-a/hello/hello-2.12.tar.gz", Release1);
        lab.Server.Serve("/gnu-b/hello/hello-2.12.tar.gz", Release1);
        lab.Server.Serve("/kernel-a/utils/util-linux-2.40.tar.xz", Release2);
        lab.Write("nixpkgs.nix", NixpkgsFetchurl);
        var baseFile = lab.Write("base.nix", Set("""gnu = [ "@URL@/gnu-a/" ]; kernel = [ "@URL@/kernel-a/" ];"""));
        // A new primary mirror for one site, and a site added.
        var headFile = lab.Write("head.nix", Set("""gnu = [ "@URL@/gnu-b/" "@URL@/gnu-a/" ]; kernel = [ "@URL@/kernel-a/" ]; savannah = [ "@URL@/savannah/" ];"""));
        var store = lab.NewStore("ci");

        var before = await BuildAllAsync(store, baseFile);
        Assert.True(lab.Server.WasRequested("/gnu-a/hello/hello-2.12.tar.gz"));
        var fresh = lab.NewStore("fresh");
        var after = await BuildAllAsync(fresh, headFile);
        Assert.True(lab.Server.WasRequested("/gnu-b/hello/hello-2.12.tar.gz"));
        Assert.Equal(before, after);
        var baseDrv = await store.RunAsync("nix-instantiate", baseFile, "-A", "hello");
        var headDrv = await store.RunAsync("nix-instantiate", headFile, "-A", "hello");
        Assert.NotEqual(baseDrv, headDrv);

        var check = await lab.CheckPrAsync(store, baseFile, headFile);
        check.AssertClean();

        static string Set(string mirrors) => $$"""
            let inherit (import ./nixpkgs.nix { mirrors = { {{mirrors}} }; }) fetchurl; in
            {
              hello = fetchurl { url = "mirror://gnu/hello/hello-2.12.tar.gz"; sha256 = "{{Hex(Release1)}}"; };
              util-linux = fetchurl { url = "mirror://kernel/utils/util-linux-2.40.tar.xz"; sha256 = "{{Hex(Release2)}}"; };
            }
            """;
    }

    [Fact]
    public async Task An_attribute_rename_is_clean()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        var tree = await lab.NarAsync(lab.WriteTree("libfoo-1.0", new Dictionary<string, string> { ["foo.h"] = "int foo(void);\n" }));
        lab.Server.Serve("/libfoo-1.0.nar", tree);
        var baseFile = lab.Write("base.nix", Foo("libfoo", Sri(tree)));
        var headFile = lab.Write("head.nix", Foo("foo", Sri(tree)));
        var store = lab.NewStore("ci");
        await BuildOneAsync(store, baseFile, "libfoo");

        var check = await lab.CheckPrAsync(store, baseFile, headFile);
        check.AssertClean();

        static string Foo(string attr, string hash) => $$"""
            let inherit (import ./lib.nix) fetchzip package; in
            {
              {{attr}} = package "{{attr}}-1.0" (fetchzip { url = "@URL@/libfoo-1.0.nar"; hash = "{{hash}}"; });
              zlib = fetchzip { url = "@URL@/zlib-1.3.nar"; hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; name = "zlib-1.3-source"; };
            }
            """;
    }

    [Fact]
    public async Task Fods_moved_between_files_are_clean()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        lab.Server.Serve("/hello-1.0.tar.gz", Release1);
        lab.Server.Serve("/world-2.0.tar.gz", Release2);
        var baseFile = lab.Write("base.nix", $$"""
            let inherit (import ./lib.nix) fetchurl package; in
            {
              hello = package "hello-1.0" (fetchurl { url = "@URL@/hello-1.0.tar.gz"; hash = "{{Sri(Release1)}}"; });
              world = package "world-2.0" (fetchurl { url = "@URL@/world-2.0.tar.gz"; hash = "{{Sri(Release2)}}"; });
            }
            """);
        // The head is a directory: its default.nix imports one file per package.
        lab.Write("head/pkgs/hello.nix", $$"""
            { fetchurl, package }:
            package "hello-1.0" (fetchurl {
              hash = "{{Sri(Release1)}}";
              url = "@URL@/hello-1.0.tar.gz";
            })
            """);
        lab.Write("head/pkgs/world.nix", $$"""
            { fetchurl, package }:
            package "world-2.0" (fetchurl {
              hash = "{{Sri(Release2)}}";
              url = "@URL@/world-2.0.tar.gz";
            })
            """);
        lab.Write("head/default.nix", """
            let
              lib = import ../lib.nix;
              callPackage = file: import file { inherit (lib) fetchurl package; };
            in
            {
              hello = callPackage ./pkgs/hello.nix;
              world = callPackage ./pkgs/world.nix;
            }
            """);
        var headDir = Path.Combine(lab.Expressions, "head");
        var store = lab.NewStore("ci");
        await BuildAllAsync(store, baseFile);

        var check = await lab.CheckPrAsync(store, baseFile, headDir);
        check.AssertClean();
        Assert.Empty(check.Parsed.Added);
        Assert.Empty(check.Parsed.Removed);
        Assert.Empty(check.Parsed.Changed);
    }
}
