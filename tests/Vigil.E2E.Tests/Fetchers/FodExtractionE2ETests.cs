using System.Diagnostics;
using System.Text.Json;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Store;

namespace Vigil.E2E.Tests.Fetchers;

/// <summary>
/// Instantiates real FODs with nix-instantiate (Nix 2.8) in a throw-away chroot store and checks
/// what the extractor makes of the <c>.drv</c> files Nix wrote: fetcher kind, URLs with mirrors
/// expanded from the mirrors-list input drv, the SRI hash as <c>nix hash to-sri</c> prints it, and
/// the output path as <c>nix-store -q --outputs</c> reports it.
/// </summary>
public sealed class FodExtractionE2ETests : IClassFixture<FodExtractionE2ETests.Instantiated>
{
    private const string Expression = """
        let
          mirrors = derivation {
            name = "mirrors-list"; system = "x86_64-linux"; builder = "/bin/sh";
            args = [ "-c" "set | grep -E '^[a-zA-Z]+=.*://' > $out" ];
            gnu = [ "https://ftpmirror.gnu.org/" "https://ftp.gnu.org/pub/gnu/" ];
            hashedMirrors = "http://tarballs.nixos.org";
          };
        in {
          plain = import <nix/fetchurl.nix> {
            url = "https://example.org/dist/hello-2.12.tar.gz";
            sha256 = "1ayhp9v4m4rdhjmnl2bq3cibrbqqkgjbl3s7yk2nhlh8vj3ay16g";
          };
          unpacked = import <nix/fetchurl.nix> {
            url = "https://example.org/dist/tree.nar";
            hash = "sha256-t4eYF+TzOfW+3sg4WQhCwrXmAT/ZUtW+N/y6aVSKmns=";
            unpack = true;
            name = "source";
          };
          structured = derivation {
            name = "sa-fod"; system = "x86_64-linux"; builder = "/bin/sh"; __structuredAttrs = true;
            urls = [ "https://a.example/x" "mirror://gnu/hello/hello-2.12.tar.gz" ];
            mirrorsFile = mirrors;
            outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
          };
          nixpkgsShaped = derivation {
            name = "hello-2.12.tar.gz"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-e" "builder.sh" ];
            urls = [ "mirror://gnu/hello/hello-2.12.tar.gz" ];
            mirrorsFile = mirrors;
            outputHash = "cf04af86dc085268c5f4470fbae49b18afbc221b78096aab842d934a76bad0ab";
            outputHashAlgo = "sha256";
            outputHashMode = "flat";
          };
        }
        """;

    private static readonly string[] Attributes = ["plain", "unpacked", "structured", "nixpkgsShaped"];

    private readonly Instantiated _nix;

    public FodExtractionE2ETests(Instantiated nix) => _nix = nix;

    [Fact]
    public void Nix_fetchurl_gives_a_builtin_fetchurl_record()
    {
        var fod = _nix.Record("plain");

        // The same drv the unit tests hold verbatim (Vigil.Nix.Tests NixVectors.BuiltinFlat).
        Assert.Equal("/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello-2.12.tar.gz.drv", fod.DrvPath);
        Assert.Equal(FetcherKind.BuiltinFetchurl, fod.Fetcher);
        Assert.Equal(["https://example.org/dist/hello-2.12.tar.gz"], fod.Urls);
        Assert.Equal("flat", fod.HashMode);
        Assert.Equal("1ayhp9v4m4rdhjmnl2bq3cibrbqqkgjbl3s7yk2nhlh8vj3ay16g", fod.OriginalHash);
        _nix.AssertHashAndOutputAgreeWithNix(fod);
    }

    [Fact]
    public void Nix_fetchurl_with_unpack_is_recursive_and_unpacks()
    {
        var fod = _nix.Record("unpacked");

        Assert.Equal("/nix/store/s6ny32jvxikxzzlklla7052blqqf8mbm-source.drv", fod.DrvPath);
        Assert.Equal(FetcherKind.BuiltinFetchurl, fod.Fetcher);
        Assert.Equal("recursive", fod.HashMode);
        Assert.Equal(["https://example.org/dist/tree.nar"], fod.Urls);
        Assert.Contains("\"unpack\":true", fod.Recipe, StringComparison.Ordinal);
        _nix.AssertHashAndOutputAgreeWithNix(fod);
    }

    [Fact]
    public void Structured_attrs_fod_with_a_url_list_is_read_from_json()
    {
        var fod = _nix.Record("structured");

        Assert.Equal("/nix/store/15370030gdrkqif1l2xhfj3v7kdq1yjm-sa-fod.drv", fod.DrvPath);
        Assert.Equal(FetcherKind.Fetchurl, fod.Fetcher);
        Assert.Equal(
            ["https://a.example/x", "https://ftpmirror.gnu.org/hello/hello-2.12.tar.gz", "https://ftp.gnu.org/pub/gnu/hello/hello-2.12.tar.gz"],
            fod.Urls);
        Assert.Equal("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", fod.OriginalHash);
        _nix.AssertHashAndOutputAgreeWithNix(fod);
    }

    [Fact]
    public void Nixpkgs_shaped_fetchurl_expands_mirror_urls_through_its_mirrors_list_drv()
    {
        var fod = _nix.Record("nixpkgsShaped");
        var builtin = _nix.Record("plain");

        Assert.Equal("/nix/store/jpcarymrwnyly9mnbq6lxkqn7g6qp7wg-hello-2.12.tar.gz.drv", fod.DrvPath);
        Assert.Equal(FetcherKind.Fetchurl, fod.Fetcher);
        Assert.Equal(["https://ftpmirror.gnu.org/hello/hello-2.12.tar.gz", "https://ftp.gnu.org/pub/gnu/hello/hello-2.12.tar.gz"], fod.Urls);
        Assert.Equal("""{"fetcher":"fetchurl","urls":["mirror://gnu/hello/hello-2.12.tar.gz"]}""", fod.Recipe);
        _nix.AssertHashAndOutputAgreeWithNix(fod);
        // Two drvs, one output path: only the recipe tells them apart.
        Assert.Equal(builtin.OutputPath, fod.OutputPath);
        Assert.NotEqual(builtin.RecipeHash, fod.RecipeHash);
    }

    /// <summary>One chroot store and one nix-instantiate run for the whole class.</summary>
    public sealed class Instantiated : IDisposable
    {
        private readonly DirectoryInfo? _dir;
        private readonly string _storeUri = "";
        private readonly Dictionary<string, FodRecord> _records = new(StringComparer.Ordinal);

        public Instantiated()
        {
            if (!NixAvailable)
            {
                return;
            }
            _dir = Directory.CreateTempSubdirectory("vigil-fod-e2e-");
            _storeUri = "local?root=" + Path.Combine(_dir.FullName, "chroot");
            var file = Path.Combine(_dir.FullName, "fods.nix");
            File.WriteAllText(file, Expression);
            var args = new List<string> { file };
            foreach (var attr in Attributes)
            {
                args.Add("-A");
                args.Add(attr);
            }
            var drvPaths = Run("nix-instantiate", args).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Attributes.Length, drvPaths.Length);
            var reader = new DerivationReader(StoreLocation.Parse(_storeUri));
            for (var i = 0; i < Attributes.Length; i++)
            {
                var drv = reader.Read(drvPaths[i]);
                _records[Attributes[i]] = FodExtractor.Extract(FodExtractor.FromDerivation(drvPaths[i], drv, reader.Read));
            }
        }

        public static bool NixAvailable { get; } = OnPath("nix-instantiate") && OnPath("nix-store") && OnPath("nix");

        public FodRecord Record(string attr)
        {
            Assert.SkipWhen(!NixAvailable, "nix is not installed");
            return _records[attr];
        }

        public void AssertHashAndOutputAgreeWithNix(FodRecord fod)
        {
            // The tuple's hex as Nix itself shows it, so the SRI is checked against an independent conversion.
            using var shown = JsonDocument.Parse(Run("nix", ["--extra-experimental-features", "nix-command", "show-derivation", fod.DrvPath]));
            var hex = shown.RootElement.GetProperty(fod.DrvPath).GetProperty("outputs").GetProperty("out").GetProperty("hash").GetString()!;
            var sri = Run("nix", ["--extra-experimental-features", "nix-command", "hash", "to-sri", "--type", fod.Algorithm.Name(), hex]).Trim();
            Assert.Equal(sri, fod.HashSri);
            var outputs = Run("nix-store", ["--query", "--outputs", fod.DrvPath]).Trim();
            Assert.Equal(outputs, fod.OutputPath);
        }

        public void Dispose() => _dir?.Delete(recursive: true);

        private string Run(string program, IEnumerable<string> args)
        {
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["NIX_REMOTE"] = _storeUri;
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {stderr.Result}");
            return stdout;
        }

        private static bool OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Any(dir => File.Exists(Path.Combine(dir, program)));
    }
}
