using System.Text.Json;
using Vigil.Vuln.Inventory;
using Vigil.Vuln.Versions;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// OSV JSON (the schema of osv.dev, GitHub advisories, PyPI, RustSec, Go…): one entry per file, or a
/// JSON array of entries. Per <c>affected[]</c>: the package (ecosystem, name), <c>versions</c> (exact
/// versions) and <c>ranges</c>: ECOSYSTEM and SEMVER events become intervals (<c>introduced</c> opens
/// one, <c>introduced: "0"</c> from the beginning; <c>fixed</c> closes it exclusive, <c>last_affected</c>
/// inclusive; an interval left open runs to the end); GIT ranges hold commits, not versions, and give
/// the repository identity. Distribution ecosystems (Debian, Alpine, …) are skipped: their versions
/// are the distribution's, not upstream's. A withdrawn entry affects nothing.
/// </summary>
public static class OsvParser
{
    private static readonly string[] Distributions =
    [
        "Debian", "Ubuntu", "Alpine", "AlmaLinux", "Rocky Linux", "Red Hat", "SUSE", "openSUSE", "Photon OS", "Mageia",
        "Wolfi", "Chainguard", "Android", "Linux", "Bitnami", "openEuler", "MinimOS", "Azure Linux", "Echo",
    ];

    public static bool Recognises(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out _) && (root.TryGetProperty("affected", out _) || root.TryGetProperty("schema_version", out _) || root.TryGetProperty("modified", out _));

    /// <exception cref="FeedFormatException">The entry is not an OSV entry.</exception>
    public static VulnRecord Parse(JsonElement root)
    {
        FeedJson.EnsureObject(root, "the entry");
        var id = FeedJson.RequireString(root, "id");
        var aliases = FeedJson.Strings(root, "aliases");
        var summary = FeedJson.String(root, "summary") ?? FirstLine(FeedJson.String(root, "details"));
        var withdrawn = FeedJson.String(root, "withdrawn") is not null;
        var affected = new List<AffectedEntry>();
        var n = 0;
        foreach (var a in FeedJson.Array(root, "affected"))
        {
            FeedJson.EnsureObject(a, $"affected[{n}]");
            n++;
            var package = FeedJson.Object(a, "package");
            var ecosystemFull = package is { } p ? FeedJson.String(p, "ecosystem") : null;
            var name = package is { } q ? FeedJson.String(q, "name") : null;
            var ecosystem = ecosystemFull is null ? null : ecosystemFull.Split(':')[0].Trim();
            if (ecosystem is not null && Array.Exists(Distributions, d => d.Equals(ecosystem, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            string? repo = null;
            var ranges = new List<VersionRange>();
            foreach (var range in FeedJson.Array(a, "ranges"))
            {
                FeedJson.EnsureObject(range, "a range");
                var type = FeedJson.RequireString(range, "type");
                if (type == "GIT")
                {
                    repo ??= FeedJson.String(range, "repo") is { } r ? SourceIdentities.RepositoryOf(r) : null;
                    continue;
                }
                if (type is not ("ECOSYSTEM" or "SEMVER"))
                {
                    throw new FeedFormatException($"range type '{type}' is not ECOSYSTEM, SEMVER or GIT");
                }
                AddEvents(range, ranges);
            }
            foreach (var version in FeedJson.Strings(a, "versions"))
            {
                ranges.Add(VersionRange.Exact(version));
            }
            if (ecosystem is "Go" && name is not null)
            {
                repo ??= SourceIdentities.RepositoryOf(name);
            }
            if (name is null && repo is null)
            {
                continue;
            }
            if (ranges.Count == 0)
            {
                continue; // no version is named (GIT commits only): nothing a package version can be checked against
            }
            affected.Add(new AffectedEntry($"osv {ecosystemFull ?? "?"}/{name}", null, null, name, repo,
                ecosystem is "GIT" or "OSS-Fuzz" ? null : ecosystem, ranges, [], false));
        }
        return new VulnRecord(FeedSources.Osv, id, aliases, summary, FeedJson.String(root, "modified"), withdrawn ? [] : affected);
    }

    private static void AddEvents(JsonElement range, List<VersionRange> into)
    {
        string? start = null;
        var open = false;
        foreach (var e in FeedJson.Array(range, "events"))
        {
            FeedJson.EnsureObject(e, "an event");
            if (FeedJson.String(e, "introduced") is { } introduced)
            {
                start = introduced is "0" ? null : introduced;
                open = true;
            }
            else if (FeedJson.String(e, "fixed") is { } fixedIn)
            {
                into.Add(new VersionRange(open ? start : null, true, fixedIn, false));
                open = false;
            }
            else if (FeedJson.String(e, "last_affected") is { } last)
            {
                into.Add(new VersionRange(open ? start : null, true, last, true));
                open = false;
            }
            else if (FeedJson.String(e, "limit") is null)
            {
                throw new FeedFormatException("an event is none of introduced, fixed, last_affected, limit");
            }
        }
        if (open)
        {
            into.Add(new VersionRange(start, true, null, true));
        }
    }

    private static string? FirstLine(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var line = text.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).ToString();
    }
}
