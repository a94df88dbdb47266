using System.Text.Json;
using Vigil.Vuln.Versions;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// NVD API 2.0 JSON (a <c>/rest/json/cves/2.0</c> page or a yearly 2.0 feed file): one record per
/// <c>vulnerabilities[].cve</c>. Affected products come from <c>configurations[].nodes[].cpeMatch[]</c>
/// entries with <c>vulnerable: true</c> (platform CPEs of "running on" configurations are
/// <c>vulnerable: false</c> and so never name the package), application and OS parts only; per
/// (vendor, product) every match becomes one interval: the CPE's own version (with its update field,
/// <c>1.0.2:beta1</c> → <c>1.0.2-beta1</c>) or <c>versionStart/End Including/Excluding</c>; <c>*</c> or
/// <c>-</c> with no bounds is "every version". AND/negated nodes are read as OR (vulnix does the same):
/// a false positive is the lesser harm, and triage is there for it.
/// </summary>
public static class NvdParser
{
    public static bool Recognises(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("vulnerabilities", out var v) && v.ValueKind == JsonValueKind.Array;

    /// <summary>The CVE items of a file, each parsed, or the reason it is malformed, by index.</summary>
    public static IEnumerable<(int Index, JsonElement Item, VulnRecord? Record, string? Error)> ParseItems(JsonElement root)
    {
        var index = 0;
        foreach (var item in FeedJson.Array(root, "vulnerabilities"))
        {
            VulnRecord? record = null;
            string? error = null;
            try
            {
                record = ParseItem(item);
            }
            catch (FeedFormatException e)
            {
                error = e.Message;
            }
            yield return (index++, item, record, error);
        }
    }

    /// <exception cref="FeedFormatException">The item is not an NVD CVE item.</exception>
    public static VulnRecord ParseItem(JsonElement item)
    {
        FeedJson.EnsureObject(item, "the item");
        var cve = FeedJson.RequireObject(item, "cve");
        var id = FeedJson.RequireString(cve, "id");
        if (!id.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase))
        {
            throw new FeedFormatException($"id '{id}' is not a CVE id");
        }
        string? summary = null;
        foreach (var d in FeedJson.Array(cve, "descriptions"))
        {
            if (FeedJson.String(d, "lang") == "en")
            {
                summary = FeedJson.String(d, "value");
                break;
            }
        }
        var byProduct = new Dictionary<(string Vendor, string Product), (List<VersionRange> Ranges, bool All, string Origin)>();
        foreach (var configuration in FeedJson.Array(cve, "configurations"))
        {
            foreach (var node in FeedJson.Array(configuration, "nodes"))
            {
                foreach (var match in FeedJson.Array(node, "cpeMatch"))
                {
                    FeedJson.EnsureObject(match, "a cpeMatch");
                    if (!FeedJson.Bool(match, "vulnerable", false))
                    {
                        continue;
                    }
                    var cpe = Cpe.Parse(FeedJson.RequireString(match, "criteria"));
                    if (cpe.Part == "h")
                    {
                        continue;
                    }
                    var key = (cpe.Vendor, cpe.Product);
                    if (!byProduct.TryGetValue(key, out var entry))
                    {
                        entry = ([], false, $"cpe:2.3:{cpe.Part}:{cpe.Vendor}:{cpe.Product}");
                    }
                    var startIncluding = FeedJson.String(match, "versionStartIncluding");
                    var startExcluding = FeedJson.String(match, "versionStartExcluding");
                    var endIncluding = FeedJson.String(match, "versionEndIncluding");
                    var endExcluding = FeedJson.String(match, "versionEndExcluding");
                    if (startIncluding is not null || startExcluding is not null || endIncluding is not null || endExcluding is not null)
                    {
                        entry.Ranges.Add(new VersionRange(startIncluding ?? startExcluding, startExcluding is null, endIncluding ?? endExcluding, endExcluding is null));
                    }
                    else if (cpe.Version is "*" or "-" or "")
                    {
                        entry.All = true;
                    }
                    else
                    {
                        entry.Ranges.Add(VersionRange.Exact(cpe.Update is "*" or "-" or "" ? cpe.Version : $"{cpe.Version}-{cpe.Update}"));
                    }
                    byProduct[key] = entry;
                }
            }
        }
        var affected = byProduct
            .Select(p => new AffectedEntry(p.Value.Origin, p.Key.Vendor, p.Key.Product, null, null, null,
                p.Value.All ? [] : p.Value.Ranges, [], p.Value.All))
            .ToList();
        return new VulnRecord(FeedSources.Nvd, id.ToUpperInvariant(), [], summary, FeedJson.String(cve, "lastModified"), affected);
    }
}
