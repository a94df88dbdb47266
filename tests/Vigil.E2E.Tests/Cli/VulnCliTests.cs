using System.Text.Json;
using Vigil.E2E.Tests.Scanning;
using Vigil.E2E.Tests.Support;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Cli;

/// <summary>
/// <c>vigil vuln</c> end to end: a small package set instantiated by real Nix (nothing is built)
/// and scanned with <c>vigil scan</c>, the hand-written feeds of tests/Vigil.Vuln.Tests imported
/// with <c>vigil vuln import</c>, then <c>vigil vuln scan --format json</c>, a vulnix whitelist and
/// <c>vigil vuln diff</c> against a release without the vulnerable version.
/// </summary>
public sealed class VulnCliTests : IDisposable
{
    private readonly ScanWorkspace work = new();

    private static string Feeds => Path.Combine(Path.GetDirectoryName(CliRunner.Launcher)!, "tests", "Vigil.Vuln.Tests", "Feeds");

    private static string PackageSet(string curlVersion) => $$"""
        let
          src = name: url: hash: derivation {
            inherit name url; system = "x86_64-linux"; builder = "builtin:fetchurl";
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = hash;
          };
          pkg = name: inputs: derivation { inherit name; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo ${toString inputs} > $out" ]; };
          curlSrc = src "curl-{{curlVersion}}.tar.xz" "https://github.com/curl/curl/releases/download/curl-{{curlVersion.Replace('.', '_')}}/curl-{{curlVersion}}.tar.xz" "0000000000000000000000000000000000000000000000000000000000000001";
        in rec {
          curl = pkg "curl-{{curlVersion}}" [ curlSrc ];
          curlPatched = pkg "curl-{{curlVersion}}" [ curlSrc (src "CVE-2023-38545.patch" "https://github.com/curl/curl/commit/fb4415d8aee6c1.patch" "0000000000000000000000000000000000000000000000000000000000000002") ];
          app = pkg "app-1.0" [ curl ];
          openssl = pkg "openssl-3.0.6" [ (src "openssl-3.0.6.tar.gz" "https://www.openssl.org/source/openssl-3.0.6.tar.gz" "0000000000000000000000000000000000000000000000000000000000000003") ];
          flex = pkg "flex-2.6.4" [ (src "flex-2.6.4.tar.gz" "https://github.com/westes/flex/releases/download/v2.6.4/flex-2.6.4.tar.gz" "0000000000000000000000000000000000000000000000000000000000000004") ];
          requests = pkg "python3.12-requests-2.30.0" [ (src "requests-2.30.0.tar.gz" "https://files.pythonhosted.org/packages/source/r/requests/requests-2.30.0.tar.gz" "0000000000000000000000000000000000000000000000000000000000000005") ];
          zlib = pkg "zlib-1.3.1" [ (src "zlib-1.3.1.tar.gz" "https://github.com/madler/zlib/releases/download/v1.3.1/zlib-1.3.1.tar.gz" "0000000000000000000000000000000000000000000000000000000000000006") ];
        }
        """;

    [Fact]
    public async Task Import_then_scan_finds_the_known_vulnerabilities_of_a_real_package_set()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var store = StoreUri(work.NewStoreRoot());
        var db = work.NewSqliteDb();
        var release = work.NewPath("release.nix");
        var head = work.NewPath("head.nix");
        await File.WriteAllTextAsync(release, PackageSet("8.4.0"));
        await File.WriteAllTextAsync(head, PackageSet("8.3.0"));
        foreach (var (file, name) in new[] { (release, "release"), (head, "head") })
        {
            var scanned = await CliRunner.RunAsync("scan", file, "--revision", name, "--db", db, "--store", store);
            Assert.True(scanned.ExitCode == 0, scanned.Stderr);
        }

        var import = await CliRunner.RunAsync("vuln", "import", Feeds, "--db", db);
        Assert.True(import.ExitCode == 0, import.Stderr);
        Assert.Matches(@"^\d+ files: 15 imported, 0 updated, 0 unchanged, 4 malformed in [0-9.]+ s \(\d+ records/s\)\n$", import.StdoutText);
        Assert.Contains("CVE-2022-0003.json: not JSON", import.Stderr, StringComparison.Ordinal);
        var again = await CliRunner.RunAsync("vuln", "import", Feeds, "--db", db);
        Assert.Contains(": 0 imported, 0 updated, 15 unchanged, 4 malformed", again.StdoutText, StringComparison.Ordinal);

        var scan = await CliRunner.RunAsync("vuln", "scan", "--revision", "head", "--format", "json", "--db", db);
        Assert.True(scan.ExitCode == 1, scan.Stderr); // affected findings
        var findings = JsonDocument.Parse(scan.Stdout).RootElement.EnumerateArray()
            .Select(f => (Cve: f.GetProperty("cve").GetString()!, Pname: f.GetProperty("pname").GetString()!, Version: f.GetProperty("version").GetString()!,
                Status: f.GetProperty("status").GetString()!, Confidence: f.GetProperty("confidence").GetDouble(),
                Attrs: f.GetProperty("attrs").EnumerateArray().Select(a => a.GetString()!).ToList(), Evidence: f.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).ToList()))
            .ToList();
        Assert.Equal(
            [
                ("CVE-2022-3602", "openssl", "affected"),
                ("CVE-2023-32681", "python3.12-requests", "affected"),
                ("CVE-2023-38545", "curl", "affected"),
                ("CVE-2023-38545", "curl", "patched"),
                ("CVE-2024-1001", "python3.12-requests", "affected"),
            ],
            findings.Select(f => (f.Cve, f.Pname, f.Status)).Order().ToList());
        var curl = findings.Single(f => f.Pname == "curl" && f.Status == "affected");
        Assert.Equal(["app", "curl"], curl.Attrs); // app reaches curl through its inputs
        Assert.Equal(0.95, curl.Confidence);
        Assert.Contains("version 8.3.0 in >=7.69.0 <8.4.0", curl.Evidence);
        Assert.Equal(["curlPatched"], findings.Single(f => f.Status == "patched").Attrs);

        // A release with the fixed curl: the diff says what the head brings in.
        var diff = await CliRunner.RunAsync("vuln", "diff", "release", "head", "--format", "json", "--db", db);
        Assert.True(diff.ExitCode == 1, diff.Stderr);
        var news = JsonDocument.Parse(diff.Stdout).RootElement.GetProperty("new").EnumerateArray().Select(f => f.GetProperty("cve").GetString()).ToList();
        Assert.Equal(["CVE-2023-38545"], news);

        // Triage: a vulnix whitelist and an ignore rule silence the rest.
        var whitelist = await CliRunner.RunAsync("vuln", "triage", "import-vulnix", Path.Combine(Feeds, "vulnix-whitelist.toml"), "--db", db);
        Assert.True(whitelist.ExitCode == 0, whitelist.Stderr);
        foreach (var (cve, pname) in new[] { ("CVE-2022-3602", "openssl"), ("CVE-2023-38545", "curl"), ("*", "python3.12-requests") })
        {
            var add = await CliRunner.RunAsync("vuln", "triage", "add", cve, pname, "--reason", "e2e", "--until", "2999-01-01", "--db", db);
            Assert.True(add.ExitCode == 0, add.Stderr);
        }
        var clean = await CliRunner.RunAsync("vuln", "scan", "--revision", "head", "--db", db);
        Assert.True(clean.ExitCode == 0, clean.StdoutText + clean.Stderr);
        // curl and curlPatched are one (CVE, pname, version, status) once both are ignored.
        Assert.Contains("0 affected, 0 patched, 4 ignored", clean.StdoutText, StringComparison.Ordinal);
        var sarif = await CliRunner.RunAsync("vuln", "scan", "--revision", "release", "--format", "sarif", "--db", db);
        Assert.Equal(0, JsonDocument.Parse(sarif.Stdout).RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());

        var bad = await CliRunner.RunAsync("vuln", "import", work.NewPath("missing"), "--db", db);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("vigil: no feed file or directory at", bad.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => work.Dispose();
}
