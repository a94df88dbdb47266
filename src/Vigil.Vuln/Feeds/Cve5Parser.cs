using System.Text.Json;
using Vigil.Vuln.Inventory;
using Vigil.Vuln.Versions;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// CVE JSON 5 records (CVEProject/cvelistV5): <c>cveMetadata.cveId</c>, and the <c>affected</c>
/// products of the CNA container and of every ADP container (CISA's ADP adds products and versions
/// to records whose CNA left them out). Per product: vendor, product, packageName, repo,
/// collectionURL, defaultStatus and versions (<c>version</c> with <c>lessThan</c>/<c>lessThanOrEqual</c>,
/// <c>status</c> affected/unaffected; <c>*</c> and <c>0</c> are open bounds; comparator text such as
/// <c>"&gt;= 1.0, &lt; 1.4"</c> in <c>version</c> is read as a range). <c>changes</c> are not read.
/// A REJECTED record keeps its id and affects nothing.
/// </summary>
public static class Cve5Parser
{
    public static bool Recognises(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("cveMetadata", out _)
            || (root.TryGetProperty("dataType", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("CVE_RECORD")));

    /// <exception cref="FeedFormatException">The record is not a CVE 5 record.</exception>
    public static VulnRecord Parse(JsonElement root)
    {
        FeedJson.EnsureObject(root, "the record");
        var meta = FeedJson.RequireObject(root, "cveMetadata");
        var id = FeedJson.RequireString(meta, "cveId");
        if (!id.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase))
        {
            throw new FeedFormatException($"cveId '{id}' is not a CVE id");
        }
        var modified = FeedJson.String(meta, "dateUpdated") ?? FeedJson.String(meta, "datePublished");
        var containers = FeedJson.Object(root, "containers");
        var affected = new List<AffectedEntry>();
        string? summary = null;
        var rejected = string.Equals(FeedJson.String(meta, "state"), "REJECTED", StringComparison.OrdinalIgnoreCase);
        if (containers is { } c)
        {
            if (FeedJson.Object(c, "cna") is { } cna)
            {
                summary = FeedJson.String(cna, "title") ?? EnglishDescription(cna);
                AddAffected(cna, "cna", affected);
            }
            var n = 0;
            foreach (var adp in FeedJson.Array(c, "adp"))
            {
                AddAffected(adp, $"adp[{n++}]", affected);
            }
        }
        else if (!rejected)
        {
            throw new FeedFormatException("'containers' is missing");
        }
        return new VulnRecord(FeedSources.Cve5, id.ToUpperInvariant(), [], summary, modified, rejected ? [] : affected);
    }

    private static string? EnglishDescription(JsonElement container)
    {
        foreach (var d in FeedJson.Array(container, "descriptions"))
        {
            if (FeedJson.String(d, "lang") is { } lang && lang.StartsWith("en", StringComparison.OrdinalIgnoreCase))
            {
                return FeedJson.String(d, "value");
            }
        }
        return null;
    }

    private static void AddAffected(JsonElement container, string where, List<AffectedEntry> into)
    {
        FeedJson.EnsureObject(container, where);
        var i = 0;
        foreach (var a in FeedJson.Array(container, "affected"))
        {
            FeedJson.EnsureObject(a, $"{where}.affected[{i}]");
            var origin = $"cve5 {where}.affected[{i++}]";
            var vendor = Named(FeedJson.String(a, "vendor"));
            var product = Named(FeedJson.String(a, "product"));
            var packageName = Named(FeedJson.String(a, "packageName"));
            var repo = FeedJson.String(a, "repo") is { } r ? SourceIdentities.RepositoryOf(r) : null;
            if (product is null && packageName is null && repo is null)
            {
                continue;
            }
            var ecosystem = FeedJson.String(a, "collectionURL") is { } url ? EcosystemOfCollection(url) : null;
            var affected = new List<VersionRange>();
            var unaffected = new List<VersionRange>();
            var all = false;
            foreach (var v in FeedJson.Array(a, "versions"))
            {
                FeedJson.EnsureObject(v, $"{origin}.versions[]");
                var status = FeedJson.String(v, "status");
                var target = status switch
                {
                    "affected" => affected,
                    "unaffected" => unaffected,
                    _ => null,
                };
                if (target is null)
                {
                    continue;
                }
                var version = FeedJson.String(v, "version");
                var lessThan = FeedJson.String(v, "lessThan");
                var lessOrEqual = FeedJson.String(v, "lessThanOrEqual");
                if (lessThan is not null || lessOrEqual is not null)
                {
                    var end = lessThan ?? lessOrEqual;
                    target.Add(new VersionRange(
                        RangeText.IsOpenStart(version) ? null : version!.Trim(), true,
                        RangeText.IsUnspecified(end) ? null : end!.Trim(), lessThan is null));
                }
                else if (version is not null && RangeText.TryParse(version, out var range))
                {
                    target.Add(range);
                }
                else if (RangeText.IsUnspecified(version))
                {
                    // "every version is affected" (or unaffected, which then says nothing useful).
                    all |= target == affected;
                }
                else
                {
                    target.Add(VersionRange.Exact(version!.Trim()));
                }
            }
            if (affected.Count == 0 && string.Equals(FeedJson.String(a, "defaultStatus"), "affected", StringComparison.OrdinalIgnoreCase))
            {
                all = true;
            }
            if (affected.Count == 0 && !all)
            {
                continue; // only unaffected or unknown versions: nothing this product can match
            }
            into.Add(new AffectedEntry(origin, vendor, product, packageName, repo, ecosystem, affected, unaffected, all && affected.Count == 0));
        }
    }

    private static string? Named(string? value) => RangeText.IsUnspecified(value) ? null : value!.Trim();

    /// <summary>The ecosystem a CVE 5 <c>collectionURL</c> names (a package registry), in OSV's spelling.</summary>
    internal static string? EcosystemOfCollection(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }
        return uri.Host.ToLowerInvariant() switch
        {
            "pypi.org" or "pypi.python.org" or "upload.pypi.org" => "PyPI",
            "registry.npmjs.org" or "npmjs.com" or "www.npmjs.com" => "npm",
            "crates.io" => "crates.io",
            "rubygems.org" => "RubyGems",
            "repo.maven.apache.org" or "repo1.maven.org" or "search.maven.org" => "Maven",
            "pkg.go.dev" or "proxy.golang.org" => "Go",
            "packagist.org" => "Packagist",
            "www.nuget.org" or "nuget.org" or "api.nuget.org" => "NuGet",
            "hex.pm" => "Hex",
            "pub.dev" => "Pub",
            "metacpan.org" or "cpan.org" or "www.cpan.org" => "CPAN",
            _ => null,
        };
    }
}
