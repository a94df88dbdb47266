using Vigil.Vuln.Feeds;
using Vigil.Vuln.Inventory;

namespace Vigil.Vuln.Matching;

/// <summary>
/// Every affected product of every record, indexed by normalised name (CPE/CVE 5 product, CVE 5
/// packageName, OSV package name and its last path segment: <c>group:artifact</c> → artifact,
/// <c>github.com/o/r</c> → r) and by repository identity. Matching a package is a few hash
/// lookups, not a pass over the feed.
/// </summary>
public sealed class VulnIndex
{
    private readonly Dictionary<string, List<(VulnRecord, AffectedEntry)>> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(VulnRecord, AffectedEntry)>> byRepo = new(StringComparer.Ordinal);

    public VulnIndex(IEnumerable<VulnRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            RecordCount++;
            foreach (var entry in record.Affected)
            {
                EntryCount++;
                names.Clear();
                foreach (var name in (ReadOnlySpan<string?>)[entry.Product, entry.PackageName])
                {
                    if (name is null)
                    {
                        continue;
                    }
                    names.Add(PackageNames.Normalise(name));
                    var cut = name.LastIndexOfAny(['/', ':']);
                    if (cut >= 0 && cut < name.Length - 1)
                    {
                        var last = name[(cut + 1)..];
                        // Go major-version suffixes (…/v2) are not the name.
                        if (last.Length <= 3 && last[0] == 'v' && last[1..].All(char.IsAsciiDigit) && cut > 0)
                        {
                            var before = name[..cut];
                            last = before[(before.LastIndexOfAny(['/', ':']) + 1)..];
                        }
                        names.Add(PackageNames.Normalise(last));
                    }
                }
                names.Remove("");
                foreach (var name in names)
                {
                    Add(byName, name, (record, entry));
                }
                if (entry.Repo is not null)
                {
                    Add(byRepo, entry.Repo, (record, entry));
                }
            }
        }
    }

    public int RecordCount { get; }

    public int EntryCount { get; }

    /// <summary>The affected products listed under a normalised name.</summary>
    public IReadOnlyList<(VulnRecord Record, AffectedEntry Entry)> ByName(string normalisedName) =>
        byName.TryGetValue(normalisedName, out var list) ? list : [];

    /// <summary>The affected products listed under a repository identity.</summary>
    public IReadOnlyList<(VulnRecord Record, AffectedEntry Entry)> ByRepository(string identity) =>
        byRepo.TryGetValue(identity, out var list) ? list : [];

    private static void Add(Dictionary<string, List<(VulnRecord, AffectedEntry)>> map, string key, (VulnRecord, AffectedEntry) value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = new List<(VulnRecord, AffectedEntry)>(1);
        }
        list.Add(value);
    }
}
