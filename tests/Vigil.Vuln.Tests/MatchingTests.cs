using Vigil.Vuln.Inventory;
using Vigil.Vuln.Matching;
using Vigil.Vuln.Scanning;
using Vigil.Vuln.Tests.Support;
using Vigil.Vuln.Triage;
using static Vigil.Vuln.Tests.Support.TestFeeds;

namespace Vigil.Vuln.Tests;

/// <summary>
/// A generated package set with known answers against the hand-written feeds: every expected
/// (vulnerability, package) found with the right status, version edges right, same-name projects
/// rejected, and nothing else reported.
/// </summary>
public sealed class MatchingTests
{
    private static readonly VulnIndex Index = new(AllRecords());

    private static readonly Data.RevisionInfo Revision = new(1, "r", "t", DateTimeOffset.UnixEpoch, 0, 0, 0);

    // (package, expected (vulnerability, status) pairs). Packages come in many copies and orders below.
    private static readonly (InventoryPackage Package, (string Cve, string Status)[] Expected)[] KnownAnswers =
    [
        (Package("curl", "8.3.0", ["github:curl/curl", "host:curl.se"]), [("CVE-2023-38545", TriageStatus.Affected)]),
        (Package("curl", "8.4.0", ["github:curl/curl"]), []),                       // lessThan is exclusive
        (Package("curl", "7.69.0", ["github:curl/curl"]), [("CVE-2023-38545", TriageStatus.Affected)]), // version is inclusive
        (Package("curl", "8.3.0", ["github:curl/curl"], [new PatchEvidence("CVE-2023-38545", "CVE-2023-38545.patch")], "curlPatched"), [("CVE-2023-38545", TriageStatus.Patched)]),
        (Package("flex", "2.6.4", ["github:westes/flex"]), []),                     // Apache Flex (repo) and npm flex (ecosystem) are other projects
        (Package("nodePackages-flex", "1.0.0", ["npm:flex"]), []),                  // another name entirely
        (Package("python3.12-requests", "2.30.0", ["pypi:requests"]), [("CVE-2023-32681", TriageStatus.Affected), ("CVE-2024-1001", TriageStatus.Affected)]),
        (Package("python3.12-requests", "2.31.0", ["pypi:requests"]), []),          // fixed is exclusive
        (Package("requests", "2.30.0", ["github:psf/requests"]), []),               // not a Python package: PyPI records do not apply
        (Package("openssl", "3.0.6", ["host:openssl.org"]), [("CVE-2022-3602", TriageStatus.Affected)]),
        (Package("openssl", "3.0.7", ["host:openssl.org"]), []),
        (Package("openssl", "3.0.0", ["host:openssl.org"]), [("CVE-2022-3602", TriageStatus.Affected)]),
        (Package("openssl", "3.0.0-alpha1", ["host:openssl.org"]), []),             // a pre-release comes before the range
        (Package("openssl", "1.1.1w", ["host:openssl.org"]), []),
        (Package("libpng", "1.6.37", []), [("CVE-2021-2222", TriageStatus.Affected)]),
        (Package("libpng", "1.6.38", []), []),
        (Package("foo", "2.0.0-rc1", []), [("CVE-2019-4444", TriageStatus.Affected)]),
        (Package("foo", "2.0.0", []), []),
        (Package("bar", "1.0", []), []),                                            // versionStartExcluding
        (Package("bar", "1.0.1", []), [("CVE-2019-5555", TriageStatus.Affected)]),
        (Package("bar", "1.2.3", []), [("CVE-2019-5555", TriageStatus.Affected)]),  // versionEndIncluding
        (Package("bar", "1.2.4", []), []),
        (Package("baz", "0.1", []), [("CVE-2018-7777", TriageStatus.Affected)]),    // '*': every version
        (Package("zlib", "1.3", ["github:madler/zlib"]), [("CVE-2024-1002", TriageStatus.Affected)]),
        (Package("zlib", "1.3.1", ["github:madler/zlib"]), []),                     // the one unaffected version
        (Package("libxyz", "1.2.1", ["github:xyz/libxyz"]), [("CVE-2024-2002", TriageStatus.Affected)]),
        (Package("xyz-tools", "1.2.0", ["github:xyz/libxyz"]), [("CVE-2024-2002", TriageStatus.Affected)]), // by repository, whatever the name
        (Package("libxyz", "1.2.1", ["github:someone/libxyz"]), []),                // same name, another repository
        (Package("libxyz", "1.3.0", ["github:xyz/libxyz"]), []),
        (Package("qux", "1.4.0", ["crates:qux"]), [("CVE-2024-2005", TriageStatus.Affected)]), // last_affected is inclusive
        (Package("qux", "1.4.1", ["crates:qux"]), []),
        (Package("curl-unwrapped", "8.3.0", ["github:curl/curl"]), [("CVE-2023-38545", TriageStatus.Affected)]), // a flavour suffix
    ];

    [Fact]
    public void Every_known_answer_is_found_and_nothing_else()
    {
        foreach (var (package, expected) in KnownAnswers)
        {
            var scan = VulnScanner.Scan(Revision, [package], Index, new TriageBook([], TimeProvider.System), TimeSpan.Zero);
            Assert.Equal(
                expected.Order().ToList(),
                scan.Findings.Select(f => (f.Cve, f.Status)).Order().ToList());
            Assert.All(scan.Findings, f => Assert.NotEmpty(f.Evidence));
        }
    }

    [Fact]
    public void A_generated_set_of_many_copies_in_any_order_gives_the_same_answers()
    {
        var random = new Random(8);
        var packages = new List<InventoryPackage>();
        var expected = new HashSet<(string, string, string, string)>();
        for (var copy = 0; copy < 50; copy++)
        {
            foreach (var (package, answers) in KnownAnswers)
            {
                var attr = $"{package.Attrs[0]}-{copy}";
                packages.Add(package with { Attrs = [attr], DrvPath = package.DrvPath.Replace("aaaa", $"{copy:D4}", StringComparison.Ordinal) });
                foreach (var (cve, status) in answers)
                {
                    expected.Add((cve, package.Pname, package.Version, status));
                }
            }
        }
        packages = [.. packages.OrderBy(_ => random.Next())];

        var scan = VulnScanner.Scan(Revision, packages, Index, new TriageBook([], TimeProvider.System), TimeSpan.Zero);

        Assert.Equal(expected.Order().ToList(), scan.Findings.Select(f => (f.Cve, f.Pname, f.Version, f.Status)).Order().ToList());
        // Findings of the same package version from 50 derivations are one, listing their attributes.
        var curl = Assert.Single(scan.Findings, f => f.Pname == "curl" && f.Version == "8.3.0" && f.Status == TriageStatus.Affected);
        Assert.Equal(50, curl.Attrs.Count);
        Assert.True(scan.Rejected > 0);
    }

    [Fact]
    public void Evidence_says_which_field_matched_and_which_range_holds_the_version()
    {
        var curl = VulnMatcher.Match(Index, Package("curl", "8.3.0", ["github:curl/curl"])).Single();
        Assert.Equal(MatchOutcome.Affected, curl.Outcome);
        Assert.Equal(VulnMatcher.RepositoryConfidence, curl.Confidence);
        Assert.Contains("cve5 cna.affected[0]: repository github:curl/curl is the package's source", curl.Evidence);
        Assert.Contains("version 8.3.0 in >=7.69.0 <8.4.0", curl.Evidence);

        var openssl = VulnMatcher.Match(Index, Package("openssl", "3.0.6", ["host:openssl.org"])).Single();
        Assert.Equal(VulnMatcher.NameConfidence + VulnMatcher.VendorBonus, openssl.Confidence, 2); // name + vendor agreeing with the host
        Assert.Contains("cpe:2.3:a:openssl:openssl: product 'openssl' matches pname 'openssl'", openssl.Evidence);
        Assert.Contains("vendor 'openssl' agrees with the package's name or source", openssl.Evidence);

        var baz = VulnMatcher.Match(Index, Package("baz", "1", [])).Single();
        Assert.Equal(VulnMatcher.NameConfidence + VulnMatcher.VendorBonus, baz.Confidence * 2, 2); // every version: half

        var flex = VulnMatcher.Match(Index, Package("flex", "2.6.4", ["github:westes/flex"]));
        Assert.All(flex, c => Assert.Equal(MatchOutcome.Rejected, c.Outcome));
        Assert.Contains(flex, c => c.Evidence.Contains("rejected: the record names repository github:apache/flex-sdk, the package is built from github:westes/flex"));
        Assert.Contains(flex, c => c.Evidence.Contains("rejected: the record is about a npm package, the package is not from a language registry"));
    }

    [Fact]
    public void Two_feeds_reporting_one_vulnerability_make_one_more_certain_finding()
    {
        // CVE-2023-32681 comes from OSV only; CVE-2024-1001 from CVE 5 only: one source each.
        var scan = VulnScanner.Scan(Revision, [Package("python3.12-requests", "2.30.0", ["pypi:requests"])], Index, new TriageBook([], TimeProvider.System), TimeSpan.Zero);
        Assert.All(scan.Findings, f => Assert.Single(f.Sources));
        Assert.All(scan.Findings, f => Assert.Equal(VulnMatcher.RegistryConfidence, f.Confidence));
    }

    [Theory]
    [InlineData("python3.12-requests", new[] { "python3-12-requests", "requests" })]
    [InlineData("perl5.38.0-DBI", new[] { "perl5-38-0-dbi", "dbi" })]
    [InlineData("Foo_Bar", new[] { "foo-bar" })]
    [InlineData("firefox-unwrapped", new[] { "firefox-unwrapped", "firefox" })]
    [InlineData("go-ethereum", new[] { "go-ethereum" })]
    public void Names_are_normalised_and_looked_up_under_their_variants(string pname, string[] expected) =>
        Assert.Equal(expected, PackageNames.Candidates(pname).Select(c => c.Name));

    [Theory]
    [InlineData("openssl-3.0.13", "openssl", "3.0.13")]
    [InlineData("python3.12-requests-2.31.0", "python3.12-requests", "2.31.0")]
    [InlineData("perl5.38.0-DBI-1.643", "perl5.38.0-DBI", "1.643")]
    [InlineData("hello", "hello", "")]
    [InlineData("foo-bar-baz", "foo-bar-baz", "")]
    [InlineData("firefox-unwrapped-120.0", "firefox-unwrapped", "120.0")]
    [InlineData("source", "source", "")]
    public void Drv_names_split_as_nix_splits_them(string name, string pname, string version) =>
        Assert.Equal((pname, version), DrvNames.Split(name));

    [Theory]
    [InlineData("https://github.com/curl/curl/archive/refs/tags/curl-8_4_0.tar.gz", "github:curl/curl")]
    [InlineData("https://api.github.com/repos/Owner/Repo/tarball/v1", "github:owner/repo")]
    [InlineData("https://gitlab.com/api/v4/projects/gnome%2Flibxml2/repository/archive.tar.gz?sha=v2", "gitlab:gnome/libxml2")]
    [InlineData("https://files.pythonhosted.org/packages/source/r/requests/requests-2.31.0.tar.gz", "pypi:requests")]
    [InlineData("https://static.crates.io/crates/serde/serde-1.0.0.crate", "crates:serde")]
    [InlineData("https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz", "npm:@babel/core")]
    [InlineData("https://www.openssl.org/source/openssl-3.0.13.tar.gz", "host:openssl.org")]
    [InlineData("mirror://gnu/hello/hello-2.12.tar.gz", "mirror:gnu")]
    public void Source_urls_give_identities(string url, string expected) =>
        Assert.Contains(expected, SourceIdentities.FromUrl(url));

    [Theory]
    [InlineData("CVE-2023-38545.patch", new[] { "CVE-2023-38545" })]
    [InlineData("https://example.org/fix-cve_2021_1234-and-CVE-2021-5678.diff", new[] { "CVE-2021-1234", "CVE-2021-5678" })]
    [InlineData("CVE-2023-123.patch", new string[0])]
    [InlineData("fix-build.patch", new string[0])]
    public void Patch_names_mark_fixes(string name, string[] cves) => Assert.Equal(cves, DrvNames.CveIds(name));
}
