using System.Text;
using CsCheck;
using Vigil.Vuln.Feeds;
using Vigil.Vuln.Tests.Support;
using Vigil.Vuln.Versions;

namespace Vigil.Vuln.Tests;

public sealed class FeedParserTests
{
    [Fact]
    public void Cve5_tree_is_read_with_malformed_records_reported_by_file_and_reason()
    {
        var items = FeedReader.Read(TestFeeds.Cve5).ToList();

        var records = items.Where(i => i.Record is not null).Select(i => i.Record!).ToDictionary(r => r.Id);
        Assert.Equal(["CVE-2022-0001", "CVE-2023-38545", "CVE-2024-1000", "CVE-2024-1001", "CVE-2024-1002"], records.Keys.Order(StringComparer.Ordinal));
        var malformed = items.Where(i => i.Record is null).OrderBy(i => i.File, StringComparer.Ordinal).ToList();
        Assert.Equal(2, malformed.Count);
        Assert.EndsWith("CVE-2022-0002.json", malformed[0].File, StringComparison.Ordinal);
        Assert.Contains("'cveId' is missing", malformed[0].Error, StringComparison.Ordinal);
        Assert.EndsWith("CVE-2022-0003.json", malformed[1].File, StringComparison.Ordinal);
        Assert.StartsWith("not JSON", malformed[1].Error, StringComparison.Ordinal);

        var curl = Assert.Single(records["CVE-2023-38545"].Affected);
        Assert.Equal(("curl", "curl", "github:curl/curl"), (curl.Vendor, curl.Product, curl.Repo));
        Assert.Equal(">=7.69.0 <8.4.0", Assert.Single(curl.Affected).Describe());
        Assert.Equal("SOCKS5 heap buffer overflow", records["CVE-2023-38545"].Summary);
        Assert.Empty(records["CVE-2022-0001"].Affected); // rejected
        var requests = Assert.Single(records["CVE-2024-1001"].Affected);
        Assert.Equal(("requests", "PyPI", ">=2.3.0 <2.31.0"), (requests.PackageName, requests.Ecosystem, requests.Affected[0].Describe()));
        // The ADP container adds what the CNA left as n/a: every version but the unaffected one.
        var zlib = Assert.Single(records["CVE-2024-1002"].Affected);
        Assert.True(zlib.AllVersions);
        Assert.Equal("=1.3.1", Assert.Single(zlib.Unaffected).Describe());
    }

    [Fact]
    public void Nvd_page_gives_one_record_per_item_from_vulnerable_cpes_only()
    {
        var items = FeedReader.Read(TestFeeds.Nvd).ToList();

        var bad = Assert.Single(items, i => i.Record is null);
        Assert.Equal("vulnerabilities[4]: 'not-a-cpe' is not a CPE 2.3 string", bad.Error);
        var records = items.Where(i => i.Record is not null).Select(i => i.Record!).ToDictionary(r => r.Id);
        Assert.Equal(5, records.Count);
        var openssl = Assert.Single(records["CVE-2022-3602"].Affected); // the linux_kernel platform is not vulnerable
        Assert.Equal(("openssl", "openssl", ">=3.0.0 <3.0.7"), (openssl.Vendor, openssl.Product, openssl.Affected[0].Describe()));
        Assert.Equal("=1.6.37", records["CVE-2021-2222"].Affected[0].Affected[0].Describe());
        Assert.Equal(">1.0 <=1.2.3", records["CVE-2019-5555"].Affected[0].Affected[0].Describe());
        Assert.True(records["CVE-2018-7777"].Affected[0].AllVersions);
        // Each item has its own content hash, so one changed item is one updated record.
        Assert.Equal(5, items.Where(i => i.Record is not null).Select(i => i.ContentHash).Distinct().Count());
    }

    [Fact]
    public void Osv_entries_read_ranges_versions_and_aliases_and_skip_distribution_ecosystems()
    {
        var items = FeedReader.Read(TestFeeds.Osv).ToList();

        var bad = Assert.Single(items, i => i.Record is null);
        Assert.Equal("[2]: range type 'WEIRD' is not ECOSYSTEM, SEMVER or GIT", bad.Error);
        var records = items.Where(i => i.Record is not null).Select(i => i.Record!).ToDictionary(r => r.Id);
        Assert.Equal("CVE-2023-32681", records["PYSEC-2023-74"].VulnerabilityId);
        Assert.Equal(">=2.3.0 <2.31.0", records["PYSEC-2023-74"].Affected[0].Affected[0].Describe());
        var xyz = Assert.Single(records["OSV-2024-0003"].Affected);
        Assert.Equal(("github:xyz/libxyz", null), (xyz.Repo, xyz.Ecosystem));
        Assert.Equal(["=1.2.0", "=1.2.1"], xyz.Affected.Select(r => r.Describe()));
        Assert.Empty(records["GHSA-debian-only"].Affected);
        Assert.Equal(">=1.0.0 <=1.4.0", records["OSV-2024-0005"].Affected[0].Affected[0].Describe());
    }

    [Fact]
    public void Affected_entries_survive_the_stored_form()
    {
        foreach (var record in TestFeeds.AllRecords())
        {
            Assert.Equal(record.Affected, AffectedCodec.Decode(AffectedCodec.Encode(record.Affected)), new AffectedEntryComparer());
        }
    }

    private static readonly Gen<VersionRange> Ranges =
        Gen.Select(Gen.String.Null(), Gen.Bool, Gen.String.Null(), Gen.Bool).Select((a, b, c, d) => new VersionRange(a, b, c, d));

    private static readonly Gen<AffectedEntry> Entries =
        Gen.Select(Gen.String, Gen.String.Null(), Gen.String.Null(), Gen.String.Null(), Gen.String.Null(), Ranges.Array[0, 4], Ranges.Array[0, 2], Gen.Bool)
            .Select((o, v, p, n, r, a, u, all) => new AffectedEntry(o, v, p, n, r, null, a, u, all));

    [Fact]
    public void Any_affected_entries_round_trip_through_the_codec() =>
        Entries.Array[0, 5].Sample(entries =>
            Assert.Equal(entries, AffectedCodec.Decode(AffectedCodec.Encode(entries)), new AffectedEntryComparer()));

    [Fact]
    public void Random_bytes_and_mutated_feeds_are_reported_never_thrown()
    {
        var samples = Directory.EnumerateFiles(TestFeeds.Root, "*.json", SearchOption.AllDirectories).Select(File.ReadAllBytes).ToArray();
        Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, 4000], Gen.Byte.Array[0, 8]).Sample((which, at, insert) =>
        {
            var bytes = samples[which].ToList();
            var position = Math.Min(at, bytes.Count);
            bytes.InsertRange(position, insert);
            if (position < bytes.Count - insert.Length && insert.Length % 2 == 0)
            {
                bytes.RemoveRange(position + insert.Length, Math.Min(insert.Length + 1, bytes.Count - position - insert.Length));
            }
            foreach (var item in FeedReader.ReadBytes("mutated.json", [.. bytes]))
            {
                Assert.True((item.Record is null) != (item.Error is null));
            }
        }, iter: 3000);
        Gen.Byte.Array[0, 200].Sample(bytes => Assert.All(FeedReader.ReadBytes("random.json", bytes), i => Assert.True(i.Record is not null || i.Error is not null)));
    }

    [Fact]
    public void Random_json_shapes_are_reported_never_thrown()
    {
        var keys = new[] { "cveMetadata", "cveId", "containers", "cna", "adp", "affected", "versions", "version", "lessThan", "status", "vulnerabilities", "cve", "id", "configurations", "nodes", "cpeMatch", "criteria", "vulnerable", "ranges", "events", "introduced", "fixed", "package", "aliases", "type" };
        var values = Gen.OneOf(Gen.Const("\"x\""), Gen.Const("\"CVE-2020-1\""), Gen.Const("1"), Gen.Const("true"), Gen.Const("null"), Gen.Const("[]"), Gen.Const("{}"), Gen.Const("\"cpe:2.3:a:v:p:1:*\""), Gen.Const("\"affected\""), Gen.Const("\"GIT\""));
        Gen<string> Json(int depth) => depth == 0
            ? values
            : Gen.OneOf(
                values,
                Gen.Select(Gen.Int[0, keys.Length - 1], Gen.Int[0, 3]).SelectMany((k, _) => Json(depth - 1).Array[0, 3].Select(vs =>
                    "{" + string.Join(",", vs.Select((v, i) => $"\"{keys[(k + i) % keys.Length]}\":{v}")) + "}")),
                Json(depth - 1).Array[0, 3].Select(vs => "[" + string.Join(",", vs) + "]"));
        Json(5).Sample(text =>
        {
            foreach (var item in FeedReader.ReadBytes("shape.json", Encoding.UTF8.GetBytes(text)))
            {
                Assert.True((item.Record is null) != (item.Error is null));
            }
        }, iter: 5000);
    }

    [Fact]
    public void Cpe_and_range_text_parsers_throw_only_their_documented_exception()
    {
        Gen.String.Sample(text =>
        {
            try
            {
                Cpe.Parse(text);
            }
            catch (FeedFormatException)
            {
            }
            RangeText.TryParse(text, out _);
        }, iter: 20_000);
        Assert.Equal(new Cpe("a", "a:b", "p", "1.0", "*"), Cpe.Parse(@"cpe:2.3:a:a\:b:p:1.0:*:*"));
    }

    private sealed class AffectedEntryComparer : IEqualityComparer<AffectedEntry>
    {
        public bool Equals(AffectedEntry? x, AffectedEntry? y) =>
            x is not null && y is not null && x.Origin == y.Origin && x.Vendor == y.Vendor && x.Product == y.Product && x.PackageName == y.PackageName
            && x.Repo == y.Repo && x.Ecosystem == y.Ecosystem && x.AllVersions == y.AllVersions
            && x.Affected.SequenceEqual(y.Affected) && x.Unaffected.SequenceEqual(y.Unaffected);

        public int GetHashCode(AffectedEntry obj) => obj.Origin.GetHashCode(StringComparison.Ordinal);
    }
}
